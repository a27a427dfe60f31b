"""Deterministic, seeded generator of Olist-shaped demo data.

Why this exists: the real Kaggle dataset ("olistbr/brazilian-ecommerce") is licensed CC BY-NC-SA
and cannot be committed, yet CI, tests, demos and load tests need data with the same files,
columns, formats and traps (uneven quoting, zip prefixes with leading zeros, multi-line review
comments, repeated review ids, orders without items or delivery dates, split payments, one person
with several ``customer_id`` values). This module writes the 8 Kaggle CSV files from a seed, at any
scale, with distributions tuned to aggregate figures of the real data. No real row, id or text is
reproduced: only aggregate parameters (state shares, monthly order counts, category vocabulary and
popularity, status shares, ...) are hard-coded below.

Same seed and ``customers`` give byte-identical files (also gzipped: the gzip header has no time
stamp and no file name). Everything is vectorised with numpy; the big tables are formatted and
written in chunks, so 10x the real size takes well under a minute and 100x fits in a few GiB.

CLI::

    python -m olist_segmentation.demo_data --out DIR [--customers N] [--seed 42] [--gzip]
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

# ---------------------------------------------------------------------------------------------
# File layout: exactly the Kaggle files and columns, in the Kaggle order.
# ---------------------------------------------------------------------------------------------

CUSTOMERS_FILE = "olist_customers_dataset.csv"
ORDERS_FILE = "olist_orders_dataset.csv"
ITEMS_FILE = "olist_order_items_dataset.csv"
PAYMENTS_FILE = "olist_order_payments_dataset.csv"
REVIEWS_FILE = "olist_order_reviews_dataset.csv"
PRODUCTS_FILE = "olist_products_dataset.csv"
SELLERS_FILE = "olist_sellers_dataset.csv"
TRANSLATION_FILE = "product_category_name_translation.csv"

KAGGLE_COLUMNS: dict[str, tuple[str, ...]] = {
    CUSTOMERS_FILE: (
        "customer_id",
        "customer_unique_id",
        "customer_zip_code_prefix",
        "customer_city",
        "customer_state",
    ),
    ORDERS_FILE: (
        "order_id",
        "customer_id",
        "order_status",
        "order_purchase_timestamp",
        "order_approved_at",
        "order_delivered_carrier_date",
        "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ),
    ITEMS_FILE: (
        "order_id",
        "order_item_id",
        "product_id",
        "seller_id",
        "shipping_limit_date",
        "price",
        "freight_value",
    ),
    PAYMENTS_FILE: (
        "order_id",
        "payment_sequential",
        "payment_type",
        "payment_installments",
        "payment_value",
    ),
    REVIEWS_FILE: (
        "review_id",
        "order_id",
        "review_score",
        "review_comment_title",
        "review_comment_message",
        "review_creation_date",
        "review_answer_timestamp",
    ),
    PRODUCTS_FILE: (
        "product_id",
        "product_category_name",
        "product_name_lenght",
        "product_description_lenght",
        "product_photos_qty",
        "product_weight_g",
        "product_length_cm",
        "product_height_cm",
        "product_width_cm",
    ),
    SELLERS_FILE: ("seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"),
    TRANSLATION_FILE: ("product_category_name", "product_category_name_english"),
}

#: Number of distinct ``customer_unique_id`` in the real data: the default scale (1x).
REAL_CUSTOMERS = 96_096
REAL_PRODUCTS = 32_951
REAL_SELLERS = 3_095

#: Rows formatted and written at once; a constant so that output never depends on it.
CHUNK_ROWS = 200_000
#: gzip level for ``--gzip``: 6 (gzip's default) is ~1.5x faster than 9 for ~1% more bytes.
GZIP_LEVEL = 6

# ---------------------------------------------------------------------------------------------
# Aggregate parameters derived from the real data (no rows, ids or texts).
# ---------------------------------------------------------------------------------------------

# state: (customer orders, sellers, median carrier->customer days, median estimated days)
STATES: dict[str, tuple[int, int, float, float]] = {
    "SP": (41746, 1849, 4.4, 18.8),
    "RJ": (12852, 171, 8.4, 24.6),
    "MG": (11635, 244, 7.2, 23.6),
    "RS": (5466, 129, 10.0, 28.0),
    "PR": (5045, 349, 7.2, 24.0),
    "SC": (3637, 190, 9.5, 25.1),
    "BA": (3380, 19, 13.8, 29.0),
    "DF": (2140, 30, 8.1, 24.1),
    "ES": (2033, 23, 10.0, 25.0),
    "GO": (2020, 40, 11.0, 27.0),
    "PE": (1652, 9, 12.8, 31.0),
    "CE": (1336, 13, 14.8, 31.2),
    "PA": (975, 1, 17.3, 36.1),
    "MT": (907, 4, 13.2, 31.2),
    "MA": (747, 1, 15.7, 30.2),
    "MS": (715, 5, 11.1, 25.9),
    "PB": (536, 6, 14.1, 32.5),
    "PI": (495, 1, 13.5, 29.5),
    "RN": (485, 5, 13.1, 31.9),
    "AL": (413, 0, 18.1, 31.4),
    "SE": (350, 2, 14.2, 29.5),
    "TO": (280, 0, 13.1, 28.4),
    "RO": (253, 2, 15.1, 38.0),
    "AM": (148, 1, 23.0, 45.4),
    "AC": (81, 1, 15.1, 40.2),
    "AP": (68, 0, 21.0, 47.2),
    "RR": (46, 0, 22.6, 44.5),
}

# (city, state, first zip prefix, last zip prefix, weight within the state). Zip ranges follow
# the public CEP allocation by state, so SP prefixes below 10000 keep their leading zeros.
CITIES: tuple[tuple[str, str, int, int, float], ...] = (
    ("sao paulo", "SP", 1000, 5999, 34.0),
    ("sao paulo", "SP", 8000, 8499, 6.0),
    ("guarulhos", "SP", 7000, 7399, 4.0),
    ("osasco", "SP", 6000, 6299, 3.0),
    ("santo andre", "SP", 9000, 9299, 2.5),
    ("sao bernardo do campo", "SP", 9600, 9899, 2.5),
    ("diadema", "SP", 9900, 9999, 0.8),
    ("mogi das cruzes", "SP", 8700, 8899, 1.2),
    ("taboao da serra", "SP", 6750, 6799, 0.8),
    ("barueri", "SP", 6400, 6499, 0.8),
    ("carapicuiba", "SP", 6300, 6399, 0.8),
    ("campinas", "SP", 13000, 13139, 4.5),
    ("jundiai", "SP", 13200, 13219, 1.8),
    ("piracicaba", "SP", 13400, 13429, 1.2),
    ("santa barbara d'oeste", "SP", 13450, 13459, 0.6),
    ("sao jose dos campos", "SP", 12200, 12249, 2.5),
    ("santos", "SP", 11000, 11099, 2.0),
    ("ribeirao preto", "SP", 14000, 14114, 2.0),
    ("franca", "SP", 14400, 14414, 0.8),
    ("sao jose do rio preto", "SP", 15000, 15099, 1.2),
    ("bauru", "SP", 17000, 17069, 1.0),
    ("sorocaba", "SP", 18000, 18109, 2.3),
    ("rio de janeiro", "RJ", 20000, 23799, 55.0),
    ("niteroi", "RJ", 24000, 24399, 8.0),
    ("sao goncalo", "RJ", 24400, 24799, 6.0),
    ("duque de caxias", "RJ", 25000, 25299, 4.0),
    ("petropolis", "RJ", 25600, 25779, 3.0),
    ("nova iguacu", "RJ", 26000, 26099, 4.0),
    ("belford roxo", "RJ", 26100, 26199, 2.0),
    ("volta redonda", "RJ", 27200, 27299, 2.5),
    ("macae", "RJ", 27900, 27999, 2.0),
    ("campos dos goytacazes", "RJ", 28000, 28099, 3.0),
    ("vitoria", "ES", 29000, 29099, 25.0),
    ("vila velha", "ES", 29100, 29129, 25.0),
    ("cariacica", "ES", 29140, 29159, 12.0),
    ("serra", "ES", 29160, 29179, 20.0),
    ("guarapari", "ES", 29200, 29229, 4.0),
    ("cachoeiro de itapemirim", "ES", 29300, 29314, 6.0),
    ("linhares", "ES", 29900, 29914, 5.0),
    ("belo horizonte", "MG", 30000, 31999, 25.0),
    ("contagem", "MG", 32000, 32399, 5.0),
    ("betim", "MG", 32500, 32699, 3.0),
    ("governador valadares", "MG", 35000, 35099, 2.0),
    ("ipatinga", "MG", 35160, 35164, 2.0),
    ("divinopolis", "MG", 35500, 35509, 2.0),
    ("sete lagoas", "MG", 35700, 35703, 1.5),
    ("juiz de fora", "MG", 36000, 36099, 6.0),
    ("varginha", "MG", 37000, 37119, 1.5),
    ("pocos de caldas", "MG", 37700, 37719, 2.0),
    ("uberaba", "MG", 38000, 38099, 2.5),
    ("uberlandia", "MG", 38400, 38499, 6.0),
    ("montes claros", "MG", 39400, 39409, 2.5),
    ("salvador", "BA", 40000, 42599, 45.0),
    ("lauro de freitas", "BA", 42700, 42709, 5.0),
    ("camacari", "BA", 42800, 42849, 3.0),
    ("feira de santana", "BA", 44000, 44099, 8.0),
    ("vitoria da conquista", "BA", 45000, 45099, 5.0),
    ("itabuna", "BA", 45600, 45614, 3.0),
    ("ilheus", "BA", 45650, 45664, 2.0),
    ("juazeiro", "BA", 48900, 48909, 2.0),
    ("aracaju", "SE", 49000, 49099, 70.0),
    ("nossa senhora do socorro", "SE", 49160, 49169, 12.0),
    ("lagarto", "SE", 49400, 49409, 6.0),
    ("itabaiana", "SE", 49500, 49509, 6.0),
    ("recife", "PE", 50000, 52999, 45.0),
    ("olinda", "PE", 53000, 53399, 8.0),
    ("paulista", "PE", 53400, 53499, 6.0),
    ("jaboatao dos guararapes", "PE", 54000, 54499, 12.0),
    ("caruaru", "PE", 55000, 55099, 7.0),
    ("garanhuns", "PE", 55290, 55299, 3.0),
    ("petrolina", "PE", 56300, 56339, 7.0),
    ("maceio", "AL", 57000, 57099, 75.0),
    ("rio largo", "AL", 57100, 57109, 4.0),
    ("arapiraca", "AL", 57300, 57319, 15.0),
    ("joao pessoa", "PB", 58000, 58099, 60.0),
    ("santa rita", "PB", 58300, 58309, 4.0),
    ("campina grande", "PB", 58400, 58439, 25.0),
    ("patos", "PB", 58700, 58709, 5.0),
    ("natal", "RN", 59000, 59139, 65.0),
    ("parnamirim", "RN", 59140, 59159, 12.0),
    ("mossoro", "RN", 59600, 59649, 15.0),
    ("fortaleza", "CE", 60000, 61599, 70.0),
    ("caucaia", "CE", 61600, 61699, 6.0),
    ("maracanau", "CE", 61900, 61939, 5.0),
    ("sobral", "CE", 62000, 62099, 5.0),
    ("juazeiro do norte", "CE", 63000, 63099, 6.0),
    ("crato", "CE", 63100, 63129, 3.0),
    ("teresina", "PI", 64000, 64099, 75.0),
    ("parnaiba", "PI", 64200, 64219, 12.0),
    ("picos", "PI", 64600, 64609, 6.0),
    ("sao luis", "MA", 65000, 65109, 60.0),
    ("caxias", "MA", 65600, 65609, 5.0),
    ("timon", "MA", 65630, 65639, 6.0),
    ("imperatriz", "MA", 65900, 65919, 20.0),
    ("belem", "PA", 66000, 66999, 50.0),
    ("ananindeua", "PA", 67000, 67199, 15.0),
    ("santarem", "PA", 68000, 68109, 8.0),
    ("maraba", "PA", 68500, 68514, 8.0),
    ("parauapebas", "PA", 68515, 68516, 4.0),
    ("castanhal", "PA", 68740, 68749, 5.0),
    ("macapa", "AP", 68900, 68914, 85.0),
    ("santana", "AP", 68925, 68929, 15.0),
    ("manaus", "AM", 69000, 69099, 85.0),
    ("itacoatiara", "AM", 69100, 69109, 5.0),
    ("parintins", "AM", 69150, 69159, 5.0),
    ("boa vista", "RR", 69300, 69339, 95.0),
    ("rorainopolis", "RR", 69373, 69374, 5.0),
    ("rio branco", "AC", 69900, 69924, 85.0),
    ("cruzeiro do sul", "AC", 69980, 69984, 15.0),
    ("brasilia", "DF", 70000, 72799, 85.0),
    ("brasilia", "DF", 73000, 73699, 15.0),
    ("luziania", "GO", 72800, 72899, 4.0),
    ("goiania", "GO", 74000, 74899, 55.0),
    ("aparecida de goiania", "GO", 74900, 74999, 12.0),
    ("anapolis", "GO", 75000, 75149, 10.0),
    ("catalao", "GO", 75700, 75709, 3.0),
    ("jatai", "GO", 75800, 75809, 3.0),
    ("rio verde", "GO", 75900, 75909, 5.0),
    ("porto velho", "RO", 76800, 76834, 45.0),
    ("ariquemes", "RO", 76870, 76879, 12.0),
    ("ji-parana", "RO", 76900, 76914, 15.0),
    ("cacoal", "RO", 76960, 76969, 8.0),
    ("vilhena", "RO", 76980, 76989, 10.0),
    ("palmas", "TO", 77000, 77299, 50.0),
    ("gurupi", "TO", 77400, 77429, 12.0),
    ("araguaina", "TO", 77800, 77829, 25.0),
    ("cuiaba", "MT", 78000, 78099, 45.0),
    ("varzea grande", "MT", 78100, 78159, 18.0),
    ("tangara da serra", "MT", 78300, 78309, 5.0),
    ("sinop", "MT", 78550, 78559, 10.0),
    ("rondonopolis", "MT", 78700, 78799, 12.0),
    ("campo grande", "MS", 79000, 79129, 60.0),
    ("corumba", "MS", 79300, 79349, 5.0),
    ("tres lagoas", "MS", 79600, 79649, 8.0),
    ("dourados", "MS", 79800, 79849, 15.0),
    ("curitiba", "PR", 80000, 82999, 35.0),
    ("sao jose dos pinhais", "PR", 83000, 83199, 4.0),
    ("colombo", "PR", 83400, 83419, 2.0),
    ("ponta grossa", "PR", 84000, 84099, 4.0),
    ("guarapuava", "PR", 85000, 85099, 2.0),
    ("cascavel", "PR", 85800, 85819, 4.0),
    ("foz do iguacu", "PR", 85850, 85869, 3.0),
    ("londrina", "PR", 86000, 86199, 9.0),
    ("maringa", "PR", 87000, 87119, 7.0),
    ("florianopolis", "SC", 88000, 88099, 18.0),
    ("sao jose", "SC", 88100, 88124, 8.0),
    ("palhoca", "SC", 88130, 88139, 4.0),
    ("itajai", "SC", 88300, 88319, 5.0),
    ("balneario camboriu", "SC", 88330, 88339, 4.0),
    ("criciuma", "SC", 88800, 88819, 5.0),
    ("blumenau", "SC", 89000, 89099, 10.0),
    ("joinville", "SC", 89200, 89239, 12.0),
    ("jaragua do sul", "SC", 89250, 89269, 3.0),
    ("chapeco", "SC", 89800, 89816, 4.0),
    ("porto alegre", "RS", 90000, 91999, 35.0),
    ("canoas", "RS", 92000, 92499, 6.0),
    ("sao leopoldo", "RS", 93000, 93199, 3.0),
    ("novo hamburgo", "RS", 93300, 93599, 4.0),
    ("gravatai", "RS", 94000, 94299, 3.0),
    ("caxias do sul", "RS", 95000, 95129, 8.0),
    ("pelotas", "RS", 96000, 96099, 5.0),
    ("santa maria", "RS", 97000, 97119, 5.0),
    ("passo fundo", "RS", 99000, 99099, 3.0),
)

# Seller cities written with a comma, as a couple of real sellers typed them: (city, state).
COMMA_SELLER_CITIES: tuple[tuple[str, str], ...] = (
    ("sao paulo, sao paulo, brasil", "SP"),
    ("curitiba, parana", "PR"),
)

# Real orders per purchase month, 2016-09 .. 2018-10 (note the empty 2016-11 and the tail).
MONTHLY_ORDERS: tuple[tuple[int, int, int], ...] = (
    (2016, 9, 4), (2016, 10, 324), (2016, 11, 0), (2016, 12, 1),
    (2017, 1, 800), (2017, 2, 1780), (2017, 3, 2682), (2017, 4, 2404),
    (2017, 5, 3700), (2017, 6, 3245), (2017, 7, 4026), (2017, 8, 4331),
    (2017, 9, 4285), (2017, 10, 4631), (2017, 11, 7544), (2017, 12, 5673),
    (2018, 1, 7269), (2018, 2, 6728), (2018, 3, 7211), (2018, 4, 6939),
    (2018, 5, 6873), (2018, 6, 6167), (2018, 7, 6292), (2018, 8, 6512),
    (2018, 9, 16), (2018, 10, 4),
)  # fmt: skip
FIRST_DAY = "2016-09-04"
LAST_DAY = "2018-10-17"
#: Nothing happens after the real data's last purchase: later events are not yet known.
CUTOFF = "2018-10-17T17:30:00"

# Orders by weekday (Monday first) and by hour of purchase.
WEEKDAY_WEIGHTS = (16196, 15963, 15552, 14761, 14122, 10887, 11960)
HOUR_WEIGHTS = (
    2394, 1170, 510, 272, 206, 188, 502, 1231, 2967, 4785, 6177, 6578,
    5995, 6518, 6569, 6454, 6675, 6150, 5769, 5982, 6193, 6217, 5816, 4123,
)  # fmt: skip

# Persons by number of orders (1..15); real: 96.9% once, a single person above 15.
ORDERS_PER_PERSON = (93099, 2745, 203, 30, 8, 6, 3, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.3)
#: Estimated delivery dates are this much above the state's real median, for ~8% late orders.
ESTIMATE_PADDING = 1.09
#: Share of a person's later orders placed from another address.
RELOCATION_SHARE = 0.075

STATUSES = (
    "delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created",
    "approved",
)  # fmt: skip
STATUS_WEIGHTS = (96478, 1107, 625, 609, 314, 301, 5, 2)
# Share of orders with each date present, by status: approved, carrier, customer.
STATUS_DATES = {
    "delivered": (0.99985, 0.99998, 0.99992),
    "shipped": (1.0, 1.0, 0.0),
    "canceled": (0.774, 0.12, 0.0096),
    "unavailable": (1.0, 0.0, 0.0),
    "invoiced": (1.0, 0.0, 0.0),
    "processing": (1.0, 0.0, 0.0),
    "created": (0.0, 0.0, 0.0),
    "approved": (1.0, 0.0, 0.0),
}
# Share of orders without any item, by status (real: 775 orders, mostly unavailable/canceled).
STATUS_NO_ITEMS = {
    "delivered": 0.0,
    "shipped": 0.001,
    "canceled": 0.26,
    "unavailable": 0.99,
    "invoiced": 0.006,
    "processing": 0.0,
    "created": 1.0,
    "approved": 0.0,
}

# Orders by number of items (1..21).
ITEMS_PER_ORDER = (
    88863, 7516, 1322, 505, 204, 198, 22, 8, 3, 8, 4, 5, 1, 2, 2, 0.5, 0.5, 0.5, 0.5, 2, 1,
)  # fmt: skip
#: Share of multi-item orders that repeat one product (real: about two thirds).
SINGLE_PRODUCT_SHARE = 0.66

# (category, English name or None when missing from the translation table,
#  products in the real catalogue, geometric-mean item price in BRL)
CATEGORIES: tuple[tuple[str, str | None, int, float], ...] = (
    ("cama_mesa_banho", "bed_bath_table", 3029, 79.7),
    ("esporte_lazer", "sports_leisure", 2867, 82.5),
    ("moveis_decoracao", "furniture_decor", 2657, 72.2),
    ("beleza_saude", "health_beauty", 2444, 84.0),
    ("utilidades_domesticas", "housewares", 2335, 59.3),
    ("automotivo", "auto", 1900, 85.1),
    ("informatica_acessorios", "computers_accessories", 1639, 85.0),
    ("brinquedos", "toys", 1411, 89.3),
    ("relogios_presentes", "watches_gifts", 1329, 197.6),
    ("telefonia", "telephony", 1134, 39.6),
    ("bebes", "baby", 919, 89.4),
    ("perfumaria", "perfumery", 868, 75.1),
    ("fashion_bolsas_e_acessorios", "fashion_bags_accessories", 849, 54.2),
    ("papelaria", "stationery", 849, 73.4),
    ("cool_stuff", "cool_stuff", 789, 125.6),
    ("ferramentas_jardim", "garden_tools", 753, 102.0),
    ("pet_shop", "pet_shop", 719, 75.9),
    ("eletronicos", "electronics", 517, 45.8),
    ("construcao_ferramentas_construcao", "construction_tools_construction", 400, 97.2),
    ("eletrodomesticos", "home_appliances", 370, 58.9),
    ("malas_acessorios", "luggage_accessories", 349, 103.8),
    ("consoles_games", "consoles_games", 317, 95.2),
    ("moveis_escritorio", "office_furniture", 309, 179.8),
    ("instrumentos_musicais", "musical_instruments", 289, 165.1),
    ("eletroportateis", "small_appliances", 231, 146.4),
    ("casa_construcao", "home_construction", 225, 106.1),
    ("livros_interesse_geral", "books_general_interest", 216, 42.9),
    ("fashion_calcados", "fashion_shoes", 173, 69.1),
    ("moveis_sala", "furniture_living_room", 156, 120.1),
    ("climatizacao", "air_conditioning", 124, 135.8),
    ("livros_tecnicos", "books_technical", 123, 56.2),
    ("telefonia_fixa", "fixed_telephony", 116, 83.6),
    ("casa_conforto", "home_confort", 111, 132.9),
    ("alimentos_bebidas", "food_drink", 104, 33.7),
    ("market_place", "market_place", 104, 68.9),
    ("fashion_roupa_masculina", "fashion_male_clothing", 95, 67.9),
    (
        "moveis_cozinha_area_de_servico_jantar_e_jardim",
        "kitchen_dining_laundry_garden_furniture",
        94,
        138.4,
    ),
    ("sinalizacao_e_seguranca", "signaling_and_security", 93, 62.7),
    ("construcao_ferramentas_seguranca", "construction_tools_safety", 91, 146.5),
    ("eletrodomesticos_2", "home_appliances_2", 90, 305.7),
    ("construcao_ferramentas_jardim", "costruction_tools_garden", 88, 56.0),
    ("alimentos", "food", 82, 55.0),
    ("bebidas", "drinks", 81, 51.1),
    ("construcao_ferramentas_iluminacao", "construction_tools_lights", 78, 85.6),
    ("agro_industria_e_comercio", "agro_industry_and_commerce", 74, 187.9),
    ("industria_comercio_e_negocios", "industry_commerce_and_business", 68, 154.9),
    ("artigos_de_natal", "christmas_supplies", 65, 31.0),
    ("audio", "audio", 58, 77.0),
    ("artes", "art", 55, 59.1),
    ("fashion_underwear_e_moda_praia", "fashion_underwear_beach", 53, 65.6),
    ("dvds_blu_ray", "dvds_blu_ray", 48, 30.4),
    ("moveis_quarto", "furniture_bedroom", 45, 135.4),
    ("construcao_ferramentas_ferramentas", "costruction_tools_tools", 39, 77.7),
    ("livros_importados", "books_imported", 31, 67.3),
    ("portateis_casa_forno_e_cafe", "small_appliances_home_oven_and_coffee", 31, 151.1),
    ("pcs", "computers", 30, 951.9),
    ("cine_foto", "cine_photo", 28, 91.2),
    ("musica", "music", 27, 55.2),
    ("fashion_roupa_feminina", "fashio_female_clothing", 27, 56.4),
    ("artigos_de_festas", "party_supplies", 26, 71.7),
    ("artes_e_artesanato", "arts_and_craftmanship", 19, 38.9),
    ("fashion_esporte", "fashion_sport", 19, 68.4),
    ("flores", "flowers", 14, 31.6),
    ("fraldas_higiene", "diapers_and_hygiene", 12, 46.6),
    ("la_cuisine", "la_cuisine", 10, 129.4),
    ("portateis_cozinha_e_preparadores_de_alimentos", None, 10, 61.2),
    ("moveis_colchao_e_estofado", "furniture_mattress_and_upholstery", 10, 160.5),
    ("tablets_impressao_imagem", "tablets_printing_image", 9, 78.7),
    ("casa_conforto_2", "home_comfort_2", 5, 58.0),
    ("fashion_roupa_infanto_juvenil", "fashion_childrens_clothes", 5, 73.7),
    ("pc_gamer", None, 3, 189.5),
    ("seguros_e_servicos", "security_and_services", 2, 135.4),
    ("cds_dvds_musicais", "cds_dvds_musicals", 1, 51.3),
)
#: Real share of products without a category (610 of 32,951); their price level.
NO_CATEGORY_SHARE = 610 / 32951
NO_CATEGORY_PRICE = 57.7
PRICE_LOG_SD = 0.78  # within a category
#: Extra log-price per unit of z above 1.5: the real price tail is heavier than lognormal.
PRICE_TAIL = 0.7
PRICE_LEVEL = 0.95  # overall calibration to the real median item price (74.99)
PHOTOS_QTY = (16489, 6263, 3860, 2428, 1484, 968, 343, 192, 105, 95, 46, 35, 9, 5, 8, 1, 7, 2, 1, 1)

# Payment plans per order: the first payment type, then vouchers; real shares by order.
PLANS = ("credit_card", "boleto", "debit_card", "voucher_only", "credit_card_voucher", "split_cc")
PLAN_WEIGHTS = (73978, 19784, 1528, 1626, 2240, 287)
VOUCHERS_WITH_CARD = (1872, 212, 62, 33, 21, 15, 4, 7, 2, 5, 5, 1, 1, 1)
VOUCHERS_ONLY = (1194, 224, 86, 46, 19, 15, 13, 7, 2, 3, 3, 3, 2)
# Credit card installments 0..24 (0 occurs twice in the real data).
INSTALLMENTS = (
    2, 25455, 12413, 10461, 7098, 5239, 3920, 1626, 4268, 644, 5328, 23, 133, 16, 15, 74, 5, 8,
    27, 0, 17, 3, 1, 1, 18,
)  # fmt: skip

# Review scores 1..5 by delivery outcome: on time, late, not delivered. On-time orders follow
# Kaggle's published shares (58% fives, 11% ones); late and undelivered ones skew low, which
# gives ~53% fives overall, as in the reference folder's reviews (a synthetic stand-in there).
SCORES_ON_TIME = (10187, 2743, 7165, 17133, 51228)
SCORES_LATE = (3455, 784, 1119, 1014, 1416)
SCORES_NOT_DELIVERED = (1744, 248, 315, 241, 400)
NO_REVIEW_SHARE = 0.0078
TWO_REVIEWS_SHARE = 0.0053
SHARED_REVIEW_GROUP_SHARE = 0.0059
SHARED_REVIEW_GROUP_SIZES = (418, 128, 28, 9, 6)  # review ids used by 2..6 orders
TITLE_SHARE = 0.119
MESSAGE_SHARE = 0.412

# Short Portuguese review texts written for this generator (not taken from the dataset).
TITLES = {
    "pos": (
        "Recomendo", "Excelente", "Muito bom", "Ótimo produto", "Amei", "Perfeito", "Nota 10",
        "Chegou rápido", "Super indico", "Top",
    ),
    "neu": ("Bom", "Razoável", "Ok", "Poderia ser melhor", "Mais ou menos", "Atendeu"),
    "neg": (
        "Péssimo", "Não recebi", "Produto errado", "Decepcionado", "Não recomendo",
        "Atraso na entrega", "Com defeito", "Ruim",
    ),
}  # fmt: skip
MESSAGES = {
    "pos": (
        "Chegou bem antes do prazo, produto de ótima qualidade.",
        "Adorei o produto, exatamente como na foto.",
        "Entrega rápida, recomendo a loja.",
        "Muito bom, superou minhas expectativas!",
        "Produto bem embalado e em perfeito estado.",
        "Tudo certo, comprarei novamente.",
        "Vendedor atencioso, produto conforme o anunciado.",
        "Gostei muito, o tamanho é ideal.",
        "Ótimo custo-benefício",
        "Recebi tudo certinho, obrigado!",
        'Minha filha amou, disse que é "o melhor presente".',
        "lindo",
    ),
    "neu": (
        "O produto é bom, mas a entrega demorou um pouco.",
        "Atendeu o esperado, nada de mais.",
        "A cor é um pouco diferente da foto, mas gostei.",
        "Veio sem manual, mas funciona.",
        "Embalagem simples, produto ok.",
        'Razoável pelo preço, o "acabamento" deixa a desejar.',
    ),
    "neg": (
        "Até agora não recebi o produto.",
        "Comprei dois itens e só recebi um.",
        "Produto veio com defeito, quero a troca.",
        'Na caixa estava escrito "original", mas parece falsificado.',
        "Péssimo atendimento, ninguém responde.",
        "Produto quebrado, muito decepcionado.",
        "A entrega atrasou mais de uma semana, absurdo.",
        "Não recomendo essa loja",
        "Paguei e o pedido foi cancelado sem explicação.",
        'O anúncio dizia "pronta entrega" e demorou um mês.',
    ),
}  # fmt: skip
# How two phrases of a message are joined: CR/LF and LF make multi-line quoted fields.
MESSAGE_JOINS = ("", " ", "\r\n", "\n", ". ")
MESSAGE_JOIN_WEIGHTS = (0.55, 0.10, 0.18, 0.07, 0.10)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

IntArray = NDArray[np.integer]
ProgressFn = Callable[[str], None]

_DAY = 86_400


def _probs(weights: Sequence[float]) -> NDArray[np.float64]:
    """Normalise weights to probabilities, so parameters can be written as raw real counts."""
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def _epoch(stamp: str) -> int:
    """Seconds since 1970 for an ISO date/time: all timestamps are int64 seconds internally."""
    return int(np.datetime64(stamp, "s").astype(np.int64))


def hex_ids(rng: np.random.Generator, n: int) -> NDArray[np.bytes_]:
    """Return ``n`` random 32-hex ids (``S32``), like Olist's md5-looking keys.

    Random 128-bit ids collide with negligible probability, and generating them as bytes keeps
    10 million ids at 320 MB instead of gigabytes of Python strings.
    """
    table = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    return np.ascontiguousarray(table[raw]).view("S32").reshape(n)


def _group_starts(counts: IntArray) -> IntArray:
    """Index of the first child row of each parent, for ``np.repeat``-expanded child tables."""
    return np.cumsum(counts) - counts


def _rank_within(counts: IntArray) -> IntArray:
    """1-based position of each child row within its parent (order_item_id, sequential)."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(_group_starts(counts), counts) + 1


def _lognormal(rng: np.random.Generator, median: float | NDArray, sigma: float, n: int) -> NDArray:
    """Lognormal draws parametrised by the median, which is what the real figures give."""
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n))


def _day_floor(ts: IntArray) -> IntArray:
    """Midnight of the same day: estimated delivery and review creation are dates."""
    return ts - ts % _DAY


# ---------------------------------------------------------------------------------------------
# Table generation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """Row counts that follow from the requested number of persons."""

    customers: int
    products: int
    sellers: int

    @classmethod
    def from_customers(cls, customers: int) -> Scale:
        """Scale products and sellers with persons, keeping the real ratios (32,951 and 3,095)."""
        if customers < 1:
            raise ValueError("customers must be >= 1")
        ratio = customers / REAL_CUSTOMERS
        return cls(
            customers=customers,
            products=max(1, round(REAL_PRODUCTS * ratio)),
            sellers=max(1, round(REAL_SELLERS * ratio)),
        )


@dataclass(frozen=True)
class Orders:
    """Orders with their customers (one customer row per order), as index arrays.

    ``person`` indexes ``unique_ids``; ``city`` indexes :data:`CITIES`; timestamps are int64
    seconds with -1 for null. ``plan`` indexes :data:`PLANS` and is decided here because it
    drives the approval delay (boleto is approved a day later) as well as the payments.
    """

    order_ids: NDArray[np.bytes_]
    customer_ids: NDArray[np.bytes_]
    unique_ids: NDArray[np.bytes_]
    person: IntArray
    city: IntArray
    zip_prefix: IntArray
    status: NDArray[np.int8]
    purchase: IntArray
    approved: IntArray
    carrier: IntArray
    delivered: IntArray
    estimated: IntArray
    plan: NDArray[np.int8]

    @property
    def late(self) -> NDArray[np.bool_]:
        """Delivered after the estimated date (drives review scores)."""
        return (self.delivered >= 0) & (self.delivered > self.estimated)

    def __len__(self) -> int:
        return len(self.order_ids)


def _city_table() -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], list[str]]:
    """Zip ranges, customer city probabilities and states of :data:`CITIES`."""
    states = [c[1] for c in CITIES]
    lo = np.array([c[2] for c in CITIES], dtype=np.int64)
    hi = np.array([c[3] for c in CITIES], dtype=np.int64)
    w = np.array([c[4] for c in CITIES], dtype=np.float64)
    state_total = {s: w[[i for i, x in enumerate(states) if x == s]].sum() for s in STATES}
    p = np.array([w[i] / state_total[s] * STATES[s][0] for i, s in enumerate(states)])
    return lo, hi, p / p.sum(), states


def _draw_places(
    rng: np.random.Generator, n: int, probs: NDArray[np.float64]
) -> tuple[IntArray, IntArray]:
    """Draw cities with the given probabilities and a zip prefix inside each city's range."""
    lo, hi, _, _ = _city_table()
    city = rng.choice(len(CITIES), size=n, p=probs).astype(np.int32)
    zips = lo[city] + np.floor(rng.random(n) * (hi[city] - lo[city] + 1)).astype(np.int64)
    return city, zips.astype(np.int32)


def _daily_probabilities() -> tuple[int, NDArray[np.float64]]:
    """Start (epoch s) and per-day purchase probabilities: real monthly volume x weekday."""
    first = np.datetime64(FIRST_DAY, "D")
    days = np.arange(first, np.datetime64(LAST_DAY, "D") + 1)
    months = days.astype("datetime64[M]")
    monthly = {np.datetime64(f"{y}-{m:02d}", "M"): c for y, m, c in MONTHLY_ORDERS}
    uniq, inverse, days_in = np.unique(months, return_inverse=True, return_counts=True)
    month_w = np.array([monthly[m] for m in uniq], dtype=np.float64) / days_in
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    w = month_w[inverse] * np.asarray(WEEKDAY_WEIGHTS, dtype=np.float64)[weekday]
    return int(first.astype("datetime64[s]").astype(np.int64)), w / w.sum()


def generate_orders(rng: np.random.Generator, customers: int) -> Orders:
    """Persons, their orders (each with a new customer_id) and the order life-cycle dates.

    A person's orders are in time order, mostly from the same address; dates are missing in
    the way each status implies, and events after the real data's cut-off are not yet known.
    """
    counts = rng.choice(len(ORDERS_PER_PERSON), size=customers, p=_probs(ORDERS_PER_PERSON)) + 1
    person = np.repeat(np.arange(customers, dtype=np.int32), counts)
    n = len(person)

    # Where: one home per person, a few later orders from elsewhere.
    _, _, city_p, _ = _city_table()
    home_city, home_zip = _draw_places(rng, customers, city_p)
    city, zips = home_city[person], home_zip[person]
    del home_city, home_zip
    moved = rng.random(n) < RELOCATION_SHARE
    moved[_group_starts(counts)] = False  # a person's first order is from home
    new_city, new_zip = _draw_places(rng, int(moved.sum()), city_p)
    city[moved], zips[moved] = new_city, new_zip
    del moved, new_city, new_zip

    # When: day by real monthly/weekday volume, hour by the real profile; sorted per person.
    # (In-place arithmetic keeps the number of live order-sized arrays low at 100x scale.)
    first_day, day_p = _daily_probabilities()
    purchase = rng.choice(len(day_p), size=n, p=day_p).astype(np.int64)
    purchase *= _DAY
    purchase += first_day
    purchase += rng.choice(24, size=n, p=_probs(HOUR_WEIGHTS)) * 3600
    purchase += rng.integers(0, 3600, size=n)
    purchase = purchase[np.lexsort((purchase, person))]

    status = rng.choice(len(STATUSES), size=n, p=_probs(STATUS_WEIGHTS)).astype(np.int8)
    plan = rng.choice(len(PLANS), size=n, p=_probs(PLAN_WEIGHTS)).astype(np.int8)

    # How long: approval in minutes (cards) or about a day (boleto), carrier, customer.
    state_of_city = np.array([list(STATES).index(c[1]) for c in CITIES])
    carrier_days = np.array([v[2] for v in STATES.values()])[state_of_city]
    estimate_days = ESTIMATE_PADDING * np.array([v[3] for v in STATES.values()])[state_of_city]
    fast = rng.random(n) < np.where(plan == PLANS.index("boleto"), 0.03, 0.70)
    lag = _lognormal(rng, 20.0, 0.8, n)
    lag[fast] = _lognormal(rng, 0.2, 0.35, n)[fast]
    del fast
    lag *= 3600
    approved = purchase + lag.astype(np.int64)
    lag = _lognormal(rng, 1.8, 1.0, n) * _DAY
    carrier = approved + lag.astype(np.int64)
    lag = _lognormal(rng, carrier_days[city], 0.62, n) * _DAY
    delivered = carrier + lag.astype(np.int64)
    lag = np.maximum(2, np.rint(_lognormal(rng, estimate_days[city], 0.25, n)))
    estimated = _day_floor(purchase) + lag.astype(np.int64) * _DAY
    del lag

    # Which dates exist: by status, nested (no customer date without a carrier date).
    share = np.array([STATUS_DATES[s] for s in STATUSES])
    has_appr = rng.random(n) < share[:, 0][status]
    has_carr = rng.random(n) < share[:, 1][status]
    has_cust = has_carr & (rng.random(n) < (share[:, 2] / np.maximum(share[:, 1], 1e-9))[status])
    # Events after the real data's last purchase are not known yet.
    cutoff = _epoch(CUTOFF)
    delivered_idx, shipped_idx = STATUSES.index("delivered"), STATUSES.index("shipped")
    status[(status == delivered_idx) & (delivered > cutoff)] = shipped_idx
    has_cust &= delivered <= cutoff
    not_shipped = np.isin(status, (delivered_idx, shipped_idx)) & (carrier > cutoff)
    status[not_shipped] = STATUSES.index("processing")
    del not_shipped
    has_carr &= carrier <= cutoff
    has_cust &= has_carr
    has_appr &= approved <= cutoff
    approved[~has_appr] = -1
    carrier[~has_carr] = -1
    delivered[~has_cust] = -1
    del has_appr, has_carr, has_cust

    return Orders(
        order_ids=hex_ids(rng, n),
        customer_ids=hex_ids(rng, n),
        unique_ids=hex_ids(rng, customers),
        person=person,
        city=city,
        zip_prefix=zips,
        status=status,
        purchase=purchase,
        approved=approved,
        carrier=carrier,
        delivered=delivered,
        estimated=estimated,
        plan=plan,
    )


@dataclass(frozen=True)
class Sellers:
    """Sellers: ids, city index into :data:`CITIES`, zip prefix, optional comma-city override."""

    ids: NDArray[np.bytes_]
    city: IntArray
    zip_prefix: IntArray
    comma_city: IntArray  # index into COMMA_SELLER_CITIES or -1


def generate_sellers(rng: np.random.Generator, n: int) -> Sellers:
    """Sellers placed by the real seller state shares (60% SP), two with a comma in the city."""
    _, _, _, states = _city_table()
    w = np.array([c[4] for c in CITIES], dtype=np.float64)
    state_total = {s: sum(c[4] for c in CITIES if c[1] == s) for s in STATES}
    p = np.array([w[i] / state_total[s] * STATES[s][1] for i, s in enumerate(states)])
    city, zips = _draw_places(rng, n, p / p.sum())
    comma = np.full(n, -1, dtype=np.int64)
    if n >= 2 * len(COMMA_SELLER_CITIES):
        lo, hi, _, _ = _city_table()
        pick = rng.choice(n, size=len(COMMA_SELLER_CITIES), replace=False)
        for k, (name, state) in enumerate(COMMA_SELLER_CITIES):
            comma[pick[k]] = k
            home = next(i for i, c in enumerate(CITIES) if c[1] == state and name.startswith(c[0]))
            city[pick[k]] = home
            zips[pick[k]] = lo[home] + int(rng.integers(0, hi[home] - lo[home] + 1))
    return Sellers(ids=hex_ids(rng, n), city=city, zip_prefix=zips, comma_city=comma)


@dataclass(frozen=True)
class Products:
    """Product catalogue; -1 marks nulls in the integer columns, category -1 = no category."""

    ids: NDArray[np.bytes_]
    category: IntArray
    name_len: IntArray
    desc_len: IntArray
    photos: IntArray
    weight: IntArray
    length: IntArray
    height: IntArray
    width: IntArray
    price_cents: IntArray
    seller: IntArray
    second_seller: IntArray  # -1 when sold by one seller only
    popularity: NDArray[np.float64]


def _cover_then_draw(
    rng: np.random.Generator, n_draws: int, weights: NDArray[np.float64]
) -> IntArray:
    """Draw ``n_draws`` indices so that every index appears once (if draws suffice).

    The real data has no product without a sale and no seller without a product, so the first
    draws are a permutation of all indices and the rest follow the (skewed) weights.
    """
    k = len(weights)
    forced = rng.permutation(k)[: min(n_draws, k)]
    rest = rng.choice(k, size=max(0, n_draws - k), p=weights / weights.sum())
    return rng.permutation(np.concatenate([forced, rest]).astype(np.int64))


def generate_products(rng: np.random.Generator, n: int, n_sellers: int) -> Products:
    """Products with skewed category and sales popularity, and category-level price levels."""
    cat_w = np.array([c[2] for c in CATEGORIES], dtype=np.float64)
    cat_w = np.append(cat_w / cat_w.sum() * (1 - NO_CATEGORY_SHARE), NO_CATEGORY_SHARE)
    category = rng.choice(len(cat_w), size=n, p=cat_w).astype(np.int64)
    category[category == len(CATEGORIES)] = -1
    # Make sure the categories missing from the translation table exist, as in the real data.
    if n >= 100:
        category[0] = [c[0] for c in CATEGORIES].index("pc_gamer")
        category[1] = [c[0] for c in CATEGORIES].index(
            "portateis_cozinha_e_preparadores_de_alimentos"
        )
    no_cat = category < 0

    name_len = np.clip(np.rint(64 - _lognormal(rng, 13.0, 0.68, n)), 5, 76).astype(np.int64)
    desc_len = np.clip(np.rint(_lognormal(rng, 595.0, 0.82, n)), 4, 3992).astype(np.int64)
    photos = rng.choice(len(PHOTOS_QTY), size=n, p=_probs(PHOTOS_QTY)).astype(np.int64) + 1
    for col in (name_len, desc_len, photos):
        col[no_cat] = -1

    z_weight = rng.standard_normal(n)
    weight = np.clip(np.rint(700 * np.exp(1.4 * z_weight)), 0, 40425).astype(np.int64)
    weight[rng.random(n) < 0.0003] = 0

    def dim(median: float, sigma: float, lo: int, hi: int) -> IntArray:
        z = 0.8 * z_weight + 0.6 * rng.standard_normal(n)
        return np.clip(np.rint(median * np.exp(sigma * z)), lo, hi).astype(np.int64)

    length, height, width = dim(25, 0.59, 7, 105), dim(13, 0.9, 2, 105), dim(20, 0.5, 6, 118)
    if n >= 3:
        no_dims = rng.choice(np.arange(2, n), size=max(1, round(2 * n / REAL_PRODUCTS)))
        for col in (weight, length, height, width):
            col[no_dims] = -1

    level = np.append(np.array([c[3] for c in CATEGORIES]), NO_CATEGORY_PRICE)[category]
    z_price = rng.standard_normal(n)
    z_price += PRICE_TAIL * np.maximum(z_price - 1.5, 0)
    price = PRICE_LEVEL * level * np.exp(PRICE_LOG_SD * z_price)
    price_cents = np.clip(np.rint(price * 100), 85, 673_500).astype(np.int64)

    seller_popularity = np.exp(1.8 * np.minimum(rng.standard_normal(n_sellers), 2.6))
    seller = _cover_then_draw(rng, n, seller_popularity)
    second = np.where(rng.random(n) < 0.037, rng.integers(0, n_sellers, size=n), -1)
    second[second == seller] = -1
    return Products(
        ids=hex_ids(rng, n),
        category=category,
        name_len=name_len,
        desc_len=desc_len,
        photos=photos,
        weight=weight,
        length=length,
        height=height,
        width=width,
        price_cents=price_cents,
        seller=seller,
        second_seller=second,
        popularity=np.exp(1.5 * rng.standard_normal(n)),
    )


@dataclass(frozen=True)
class Items:
    """Order items, sorted by order id like the Kaggle file; money in cents."""

    order: IntArray
    item_no: IntArray
    product: IntArray
    seller: IntArray
    shipping_limit: IntArray
    price_cents: IntArray
    freight_cents: IntArray


def _take_all(columns: dict[str, np.ndarray], index: NDArray[np.integer]) -> dict[str, np.ndarray]:
    """Reorder every column by ``index`` one at a time, so only one extra copy is ever alive.

    Callers hand over their only reference (``del`` the local names) for this to save memory.
    """
    for key in list(columns):
        columns[key] = columns[key][index]
    return columns


def generate_items(rng: np.random.Generator, orders: Orders, products: Products) -> Items:
    """Items per order (90% one), popular products reused, freight tied to price and distance."""
    n = len(orders)
    n_items = rng.choice(len(ITEMS_PER_ORDER), size=n, p=_probs(ITEMS_PER_ORDER)) + 1
    no_items_p = np.array([STATUS_NO_ITEMS[s] for s in STATUSES])[orders.status]
    n_items[rng.random(n) < no_items_p] = 0
    del no_items_p
    order = np.repeat(np.arange(n, dtype=np.int32), n_items)
    m = len(order)
    item_no = _rank_within(n_items).astype(np.int16)
    new_draw = (item_no == 1) | ~np.repeat(rng.random(n) < SINGLE_PRODUCT_SHARE, n_items)
    del n_items
    first = np.flatnonzero(new_draw)
    del new_draw
    product = np.zeros(m, dtype=np.int32)
    product[first] = _cover_then_draw(rng, len(first), products.popularity)
    # Repeated products copy the previous item's product (forward fill within the order).
    source = np.zeros(m, dtype=np.int64)
    source[first] = first
    np.maximum.accumulate(source, out=source)
    product = product[source]
    del source, first

    seller = products.seller[product]
    alt = products.second_seller[product]
    use_alt = (alt >= 0) & (rng.random(m) < 0.4)
    seller[use_alt] = alt[use_alt]
    del alt, use_alt

    shipping_limit = orders.purchase + (_lognormal(rng, 6.0, 0.45, n) * _DAY).astype(np.int64)
    shipping_limit = shipping_limit[order]
    if m >= 1000:
        shipping_limit[rng.integers(0, m)] += 580 * _DAY  # like the real 2020 outlier

    price_cents = products.price_cents[product]
    state_of_city = np.array([list(STATES).index(c[1]) for c in CITIES])
    distance = np.array([v[2] for v in STATES.values()])[state_of_city] / 7.0
    log_f = np.log(price_cents / 100)
    log_f *= 0.24
    log_f += 0.25 * np.log(distance)[orders.city[order]]
    log_f += 0.12 * np.log(np.maximum(products.weight[product], 1) / 700)
    log_f += 0.50 * rng.standard_normal(m) + 1.74
    freight_cents = np.rint(np.exp(log_f, out=log_f) * 100).astype(np.int64)
    del log_f
    freight_cents[rng.random(m) < 0.0034] = 0

    # Kaggle's items file is sorted by order_id, then order_item_id.
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(orders.order_ids, kind="stable")] = np.arange(n)
    sort = np.lexsort((item_no, rank[order]))
    del rank
    columns = {
        "order": order,
        "item_no": item_no,
        "product": product,
        "seller": seller,
        "shipping_limit": shipping_limit,
        "price_cents": price_cents,
        "freight_cents": freight_cents,
    }
    del order, item_no, product, seller, shipping_limit, price_cents, freight_cents
    return Items(**_take_all(columns, sort))


def order_totals(items: Items, n_orders: int) -> IntArray:
    """Items price + freight per order in cents; -1 for orders without items.

    Computed before the items are released, so payments never need the item table.
    """
    total = np.bincount(items.order, weights=items.price_cents, minlength=n_orders)
    total += np.bincount(items.order, weights=items.freight_cents, minlength=n_orders)
    total = np.rint(total).astype(np.int64)
    total[np.bincount(items.order, minlength=n_orders) == 0] = -1
    return total


@dataclass(frozen=True)
class Payments:
    """Payment rows (shuffled like the Kaggle file); value in cents, type index into TYPES."""

    order: IntArray
    sequential: IntArray
    ptype: NDArray[np.int8]
    installments: IntArray
    value_cents: IntArray


PAYMENT_TYPES = ("credit_card", "boleto", "voucher", "debit_card", "not_defined")


def _split_cents(
    rng: np.random.Generator, totals: IntArray, counts: IntArray
) -> tuple[IntArray, IntArray]:
    """Split each total into ``counts`` random integer parts that add up exactly.

    Returns (parent index per part, part value). Integer cents keep sums exact after rounding.
    """
    parent = np.repeat(np.arange(len(totals), dtype=np.int32), counts)
    w = rng.exponential(size=len(parent))
    w /= np.bincount(parent, weights=w, minlength=len(totals))[parent]
    w *= totals[parent]
    part = np.floor(w, out=w).astype(np.int64)
    del w
    remainder = totals - np.bincount(parent, weights=part, minlength=len(totals)).astype(np.int64)
    last = np.cumsum(counts) - 1
    part[last[counts > 0]] += remainder[counts > 0]
    return parent, part


def generate_payments(rng: np.random.Generator, orders: Orders, totals: IntArray) -> Payments:
    """Payment rows whose values add up to the order's items + freight (``totals``, cents).

    Most orders pay once by card or boleto; some add one or more vouchers or split the card
    payment; installments grow with the amount; one order has no payment at all (as in the
    real data). Orders without items (total -1) still show what the customer paid.
    """
    n = len(orders)
    no_items = totals < 0
    total = totals.copy()
    total[no_items] = np.rint(_lognormal(rng, 105.0, 0.9, int(no_items.sum())) * 100)

    plan = orders.plan
    bol, deb, vonly, ccv, split = (PLANS.index(p) for p in PLANS[1:])
    is_ccv, is_vonly = plan == ccv, plan == vonly
    n_vouch = np.zeros(n, dtype=np.int64)
    n_vouch[is_ccv] = rng.choice(len(VOUCHERS_WITH_CARD), size=int(is_ccv.sum()),
                                 p=_probs(VOUCHERS_WITH_CARD)) + 1  # fmt: skip
    n_vouch[is_vonly] = rng.choice(len(VOUCHERS_ONLY), size=int(is_vonly.sum()),
                                   p=_probs(VOUCHERS_ONLY)) + 1  # fmt: skip
    # Voucher share of the amount when paid together with a card (median ~70%).
    voucher_total = np.where(is_vonly, total, 0)
    voucher_total[is_ccv] = np.floor(total[is_ccv] * rng.beta(2.0, 1.0, int(is_ccv.sum())))
    total -= voucher_total  # what the card, boleto or debit card pays
    v_parent, v_value = _split_cents(rng, voucher_total, n_vouch)
    del voucher_total, n_vouch
    n_primary = np.select([is_vonly, plan == split], [0, 2], 1)
    p_parent, p_value = _split_cents(rng, total, n_primary)
    del total, n_primary, is_ccv, is_vonly

    primary_type = np.select(
        [plan == bol, plan == deb],
        [PAYMENT_TYPES.index("boleto"), PAYMENT_TYPES.index("debit_card")],
        PAYMENT_TYPES.index("credit_card"),
    ).astype(np.int8)
    voucher = PAYMENT_TYPES.index("voucher")
    ptype = np.concatenate([primary_type[p_parent], np.full(len(v_parent), voucher, np.int8)])
    order = np.concatenate([p_parent, v_parent])
    value = np.concatenate([p_value, v_value])
    del p_parent, v_parent, p_value, v_value, primary_type
    # A few canceled orders without items show the "not_defined" type (3 rows in the real data).
    canceled_empty = np.flatnonzero(no_items & (orders.status == STATUSES.index("canceled")))
    n_undefined = min(len(canceled_empty), round(3 * n / 99441))
    if n_undefined:
        nd_orders = rng.choice(canceled_empty, size=n_undefined, replace=False)
        nd_rows = np.isin(order, nd_orders) & (ptype != voucher)
        ptype[nd_rows] = PAYMENT_TYPES.index("not_defined")
        value[nd_rows] = 0
    # One order without payment, like the real data.
    if n >= 1000:
        keep = order != rng.integers(0, n)
        order, value, ptype = order[keep], value[keep], ptype[keep]

    # Sequence: card/boleto first, then vouchers (a stable sort keeps that order per order).
    columns = _take_all({"order": order, "value": value, "ptype": ptype},
                        np.argsort(order, kind="stable"))  # fmt: skip
    del order, value, ptype
    sequential = _rank_within(np.bincount(columns["order"], minlength=n)).astype(np.int16)

    # Installments: credit cards only, more for larger amounts (rank-based Gaussian copula).
    installments = np.ones(len(sequential), dtype=np.int8)
    is_cc = np.flatnonzero(columns["ptype"] == PAYMENT_TYPES.index("credit_card"))
    if len(is_cc):
        z_value = np.log1p(columns["value"][is_cc] / 100)
        z_value = (z_value - z_value.mean()) / (z_value.std() or 1.0)
        z = 0.55 * z_value + np.sqrt(1 - 0.55**2) * rng.standard_normal(len(is_cc))
        del z_value
        u = (np.argsort(np.argsort(z, kind="stable"), kind="stable") + 0.5) / len(is_cc)
        cdf = np.cumsum(_probs(INSTALLMENTS))
        installments[is_cc] = np.minimum(np.searchsorted(cdf, u), len(INSTALLMENTS) - 1)

    columns["sequential"], columns["installments"] = sequential, installments
    del sequential, installments
    columns = _take_all(columns, rng.permutation(len(columns["order"])))
    return Payments(
        order=columns["order"],
        sequential=columns["sequential"],
        ptype=columns["ptype"],
        installments=columns["installments"],
        value_cents=columns["value"],
    )


@dataclass(frozen=True)
class Reviews:
    """Review rows; texts as indices into the phrase pools (strings are built per chunk)."""

    ids: NDArray[np.bytes_]
    order: IntArray
    score: IntArray
    title: IntArray  # index into _title_pool() or -1
    msg1: IntArray  # index into _message_pool() or -1
    join: IntArray  # index into MESSAGE_JOINS
    msg2: IntArray  # index into _message_pool() or -1
    created: IntArray
    answered: IntArray


def _pools(texts: dict[str, tuple[str, ...]]) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Flatten a sentiment->phrases mapping into one list plus (offset, size) per sentiment."""
    flat: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    for key, phrases in texts.items():
        spans[key] = (len(flat), len(phrases))
        flat.extend(phrases)
    return flat, spans


def _pick_phrase(
    rng: np.random.Generator,
    score: IntArray,
    spans: dict[str, tuple[int, int]],
    avoid: IntArray | None = None,
) -> IntArray:
    """Pick a phrase index whose sentiment matches the score (4-5 good, 3 neutral, 1-2 bad).

    With ``avoid``, never return that index, so a two-phrase message never repeats itself.
    """
    key = np.where(score >= 4, 0, np.where(score == 3, 1, 2))
    offset = np.array([spans[k][0] for k in ("pos", "neu", "neg")])[key]
    size = np.array([spans[k][1] for k in ("pos", "neu", "neg")])[key]
    if avoid is None:
        return offset + np.floor(rng.random(len(score)) * size).astype(np.int64)
    pick = offset + np.floor(rng.random(len(score)) * (size - 1)).astype(np.int64)
    return pick + (pick >= avoid)


def generate_reviews(rng: np.random.Generator, orders: Orders) -> Reviews:
    """About one review per order, scores depending on late or missing delivery.

    Some orders get none or two reviews, and a few review ids are shared by several orders
    (the real data's trap for anyone who assumes review_id is a key).
    """
    n = len(orders)
    n_rev = np.where(rng.random(n) < NO_REVIEW_SHARE, 0, 1)
    n_rev[rng.random(n) < TWO_REVIEWS_SHARE / (1 - NO_REVIEW_SHARE)] = 2
    order = np.repeat(np.arange(n, dtype=np.int32), n_rev)
    second = _rank_within(n_rev) == 2
    del n_rev
    m = len(order)

    outcome = np.where(orders.delivered < 0, 2, np.where(orders.late, 1, 0)).astype(np.int8)
    outcome = outcome[order]
    score = np.empty(m, dtype=np.int8)
    for k, weights in enumerate((SCORES_ON_TIME, SCORES_LATE, SCORES_NOT_DELIVERED)):
        sel = outcome == k
        score[sel] = rng.choice(5, size=int(sel.sum()), p=_probs(weights)) + 1
    del outcome

    _, title_spans = _pools(TITLES)
    _, msg_spans = _pools(MESSAGES)
    title = _pick_phrase(rng, score, title_spans).astype(np.int16)
    title[rng.random(m) >= TITLE_SHARE] = -1
    msg1 = _pick_phrase(rng, score, msg_spans).astype(np.int16)
    no_msg = rng.random(m) >= MESSAGE_SHARE
    msg1[no_msg] = -1
    join = rng.choice(len(MESSAGE_JOINS), size=m, p=_probs(MESSAGE_JOIN_WEIGHTS)).astype(np.int8)
    join[no_msg] = 0
    del no_msg
    msg2 = _pick_phrase(rng, score, msg_spans, avoid=msg1).astype(np.int16)
    msg2[join == 0] = -1

    created = np.where(orders.delivered >= 0, orders.delivered, orders.estimated)[order]
    created = _day_floor(created)
    created += (rng.choice(5, size=m, p=[0.55, 0.2, 0.1, 0.08, 0.07]) + 1) * _DAY
    created[second] += rng.integers(1, 30, size=int(second.sum())) * _DAY
    answered = created + (np.clip(_lognormal(rng, 1.8, 0.8, m), 0.05, 60) * _DAY).astype(np.int64)

    ids = hex_ids(rng, m)
    # Shared review ids: a group copies its first review onto the reviews of the orders placed
    # just after it (like the real multi-order checkouts), so no review predates its order.
    first_reviews = np.flatnonzero(~second)
    del second
    first_reviews = first_reviews[np.argsort(orders.purchase[order[first_reviews]], kind="stable")]
    n_groups = min(len(first_reviews) // 8, round(SHARED_REVIEW_GROUP_SHARE * m))
    if n_groups:
        slots = rng.choice(len(first_reviews) // 8, size=n_groups, replace=False) * 8
        sizes = rng.choice(5, size=n_groups, p=_probs(SHARED_REVIEW_GROUP_SIZES)) + 2
        leaders = first_reviews[slots]
        for j in range(1, int(sizes.max())):
            sel = sizes > j
            src, dst = leaders[sel], first_reviews[slots[sel] + j]
            for col in (ids, score, title, msg1, join, msg2, created, answered):
                col[dst] = col[src]
    del first_reviews

    columns = {
        "ids": ids,
        "order": order,
        "score": score,
        "title": title,
        "msg1": msg1,
        "join": join,
        "msg2": msg2,
        "created": created,
        "answered": answered,
    }
    del ids, order, score, title, msg1, join, msg2, created, answered
    return Reviews(**_take_all(columns, rng.permutation(m)))


# ---------------------------------------------------------------------------------------------
# Formatting: Kaggle-style quoting. Header quoted; ids and zips quoted when they start with a
# digit; text quoted when it holds a comma, quote or line break; numbers and dates never quoted.
# ---------------------------------------------------------------------------------------------


def fmt_ids(ids: NDArray[np.bytes_]) -> list[str]:
    """Hex ids, quoted when they start with a digit, as in the Kaggle files."""
    out = ids.astype("U34")
    digit = ids.view(np.uint8).reshape(-1, 32)[:, 0] < ord("a") if len(ids) else np.zeros(0, bool)
    out[digit] = np.char.add(np.char.add('"', out[digit]), '"')
    return out.tolist()


def fmt_zips(zips: IntArray) -> list[str]:
    """Zip prefixes as quoted 5-character strings with leading zeros ("01151")."""
    return [f'"{z:05d}"' for z in zips.tolist()]


def fmt_ints(values: IntArray) -> list[str]:
    """Integers; negative values are nulls and become empty fields."""
    out = values.astype("U12")
    out[values < 0] = ""
    return out.tolist()


def fmt_cents(cents: IntArray) -> list[str]:
    """Money with exactly two decimals from integer cents (no float formatting surprises)."""
    frac = np.array([f".{i:02d}" for i in range(100)])
    return np.char.add((cents // 100).astype("U12"), frac[cents % 100]).tolist()


def fmt_timestamps(ts: IntArray) -> list[str]:
    """``YYYY-MM-DD HH:MM:SS``; negative values are nulls and become empty fields."""
    out = ts.astype("datetime64[s]").astype("U19")
    if len(out):
        out.view(np.uint32).reshape(-1, 19)[:, 10] = ord(" ")
    out[ts < 0] = ""
    return out.tolist()


def quote_text(values: Sequence[str]) -> list[str]:
    """Minimal CSV quoting for free text, so commas, quotes and line breaks survive."""
    return [
        '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v for v in values
    ]


def _header(columns: Sequence[str]) -> str:
    return ",".join(f'"{c}"' for c in columns) + "\n"


class _Sink:
    """A binary output file, optionally gzip with a fixed header (no mtime, no name)."""

    def __init__(self, path: Path, compress: bool) -> None:
        self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._out: io.RawIOBase | gzip_module.GzipFile = (
            gzip_module.GzipFile(
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=GZIP_LEVEL
            )
            if compress
            else self._raw
        )

    def write(self, text: str) -> None:
        self._out.write(text.encode("utf-8"))

    def close(self) -> None:
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()


RowFormatter = Callable[[NDArray[np.int64]], list[list[str]]]


def write_table(
    path: Path,
    columns: Sequence[str],
    n_rows: int,
    format_rows: RowFormatter,
    *,
    compress: bool = False,
    progress: ProgressFn | None = None,
) -> int:
    """Write a table chunk by chunk; ``format_rows(idx)`` returns the formatted columns.

    Chunking bounds memory: only CHUNK_ROWS rows exist as Python strings at any time.
    """
    sink = _Sink(path, compress)
    try:
        sink.write(_header(columns))
        reported = 0
        for start in range(0, n_rows, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, n_rows)
            cols = format_rows(np.arange(start, stop, dtype=np.int64))
            sink.write("\n".join(map(",".join, zip(*cols, strict=True))) + "\n")
            # A line per ~10% for big tables, so long runs show they are alive.
            if progress and n_rows > 4 * CHUNK_ROWS and (stop * 10 // n_rows > reported):
                reported = stop * 10 // n_rows
                progress(f"  {path.name}: {stop:,}/{n_rows:,} rows ({stop / n_rows:.0%})")
    finally:
        sink.close()
    return n_rows


def _write_translation(path: Path, compress: bool) -> int:
    """The translation table as Kaggle ships it: UTF-8 BOM, CRLF, no final newline."""
    rows = [",".join(KAGGLE_COLUMNS[TRANSLATION_FILE])]
    rows += [f"{pt},{en}" for pt, en, _, _ in CATEGORIES if en is not None]
    sink = _Sink(path, compress)
    try:
        sink.write("\ufeff" + "\r\n".join(rows))
    finally:
        sink.close()
    return len(rows) - 1


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------


_CITY_NAMES = tuple(c[0] for c in CITIES)
_CITY_STATES = tuple(c[1] for c in CITIES)


def customer_rows(orders: Orders, row_order: IntArray) -> RowFormatter:
    """Formatter of the customers file: one row per order's customer_id, in ``row_order``."""
    names, states = np.array(_CITY_NAMES, dtype=object), np.array(_CITY_STATES, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        o = row_order[idx]
        city = orders.city[o]
        return [
            fmt_ids(orders.customer_ids[o]),
            fmt_ids(orders.unique_ids[orders.person[o]]),
            fmt_zips(orders.zip_prefix[o]),
            quote_text(names[city].tolist()),
            states[city].tolist(),
        ]

    return rows


def order_rows(orders: Orders, row_order: IntArray) -> RowFormatter:
    """Formatter of the orders file, in ``row_order``."""
    statuses = np.array(STATUSES, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        o = row_order[idx]
        return [
            fmt_ids(orders.order_ids[o]),
            fmt_ids(orders.customer_ids[o]),
            statuses[orders.status[o]].tolist(),
            fmt_timestamps(orders.purchase[o]),
            fmt_timestamps(orders.approved[o]),
            fmt_timestamps(orders.carrier[o]),
            fmt_timestamps(orders.delivered[o]),
            fmt_timestamps(orders.estimated[o]),
        ]

    return rows


def item_rows(orders: Orders, products: Products, sellers: Sellers, items: Items) -> RowFormatter:
    """Formatter of the order items file (already sorted by order id)."""

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        return [
            fmt_ids(orders.order_ids[items.order[idx]]),
            fmt_ints(items.item_no[idx]),
            fmt_ids(products.ids[items.product[idx]]),
            fmt_ids(sellers.ids[items.seller[idx]]),
            fmt_timestamps(items.shipping_limit[idx]),
            fmt_cents(items.price_cents[idx]),
            fmt_cents(items.freight_cents[idx]),
        ]

    return rows


def payment_rows(orders: Orders, payments: Payments) -> RowFormatter:
    """Formatter of the payments file."""
    types = np.array(PAYMENT_TYPES, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        return [
            fmt_ids(orders.order_ids[payments.order[idx]]),
            fmt_ints(payments.sequential[idx]),
            types[payments.ptype[idx]].tolist(),
            fmt_ints(payments.installments[idx]),
            fmt_cents(payments.value_cents[idx]),
        ]

    return rows


def review_rows(orders: Orders, reviews: Reviews) -> RowFormatter:
    """Formatter of the reviews file: texts are assembled here, one chunk at a time."""
    titles, _ = _pools(TITLES)
    messages, _ = _pools(MESSAGES)
    title_pool = np.array(quote_text(titles) + [""], dtype=object)  # index -1 -> ""
    msg_pool = np.array(messages + [""], dtype=object)
    joins = np.array(MESSAGE_JOINS, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        text = msg_pool[reviews.msg1[idx]] + joins[reviews.join[idx]] + msg_pool[reviews.msg2[idx]]
        return [
            fmt_ids(reviews.ids[idx]),
            fmt_ids(orders.order_ids[reviews.order[idx]]),
            fmt_ints(reviews.score[idx]),
            title_pool[reviews.title[idx]].tolist(),
            quote_text(text.tolist()),
            fmt_timestamps(reviews.created[idx]),
            fmt_timestamps(reviews.answered[idx]),
        ]

    return rows


def product_rows(products: Products, row_order: IntArray) -> RowFormatter:
    """Formatter of the products file, in ``row_order``; no category -> empty field."""
    categories = np.array([c[0] for c in CATEGORIES] + [""], dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        p = row_order[idx]
        return [
            fmt_ids(products.ids[p]),
            categories[products.category[p]].tolist(),
            fmt_ints(products.name_len[p]),
            fmt_ints(products.desc_len[p]),
            fmt_ints(products.photos[p]),
            fmt_ints(products.weight[p]),
            fmt_ints(products.length[p]),
            fmt_ints(products.height[p]),
            fmt_ints(products.width[p]),
        ]

    return rows


def seller_rows(sellers: Sellers) -> RowFormatter:
    """Formatter of the sellers file, with the comma-city overrides."""
    names = np.array(_CITY_NAMES, dtype=object)
    states = np.array(_CITY_STATES, dtype=object)
    comma_names = np.array([c[0] for c in COMMA_SELLER_CITIES] + [""], dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        comma = sellers.comma_city[idx]
        city = sellers.city[idx]
        text = np.where(comma >= 0, comma_names[comma], names[city])
        return [
            fmt_ids(sellers.ids[idx]),
            fmt_zips(sellers.zip_prefix[idx]),
            quote_text(text.tolist()),
            states[city].tolist(),
        ]

    return rows


def generate(
    out_dir: Path | str,
    customers: int = REAL_CUSTOMERS,
    seed: int = 42,
    *,
    compress: bool = False,
    progress: ProgressFn | None = None,
) -> dict[str, int]:
    """Write the 8 Olist files to ``out_dir`` and return the data rows written per file.

    Each table has its own random stream (spawned from ``seed``), so the files depend only on
    ``seed`` and ``customers``. Tables are generated, written and released one after the
    other (orders stay, everything refers to them) to bound memory at large scale.
    """
    if customers < 1:
        raise ValueError(f"customers must be >= 1, got {customers}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scale = Scale.from_customers(customers)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    suffix = ".gz" if compress else ""
    written: dict[str, int] = {}
    clock = time.perf_counter()

    def emit(name: str, n_rows: int, fmt: RowFormatter) -> None:
        t0 = time.perf_counter()
        path = out / (name + suffix)
        written[name] = write_table(
            path, KAGGLE_COLUMNS[name], n_rows, fmt, compress=compress, progress=progress
        )
        if progress:
            progress(f"{path.name}: {n_rows:,} rows in {time.perf_counter() - t0:.1f}s")

    if progress:
        progress(
            f"generating {scale.customers:,} customers, {scale.products:,} products, "
            f"{scale.sellers:,} sellers (seed {seed})"
        )
    orders = generate_orders(streams[0], scale.customers)
    sellers = generate_sellers(streams[1], scale.sellers)
    products = generate_products(streams[2], scale.products, scale.sellers)
    if progress:
        progress(f"{len(orders):,} orders generated in {time.perf_counter() - clock:.1f}s")
    n_orders = len(orders)
    emit(CUSTOMERS_FILE, n_orders, customer_rows(orders, streams[3].permutation(n_orders)))
    emit(ORDERS_FILE, n_orders, order_rows(orders, streams[3].permutation(n_orders)))

    items = generate_items(streams[4], orders, products)
    totals = order_totals(items, n_orders)
    emit(ITEMS_FILE, len(items.order), item_rows(orders, products, sellers, items))
    del items

    payments = generate_payments(streams[5], orders, totals)
    del totals
    emit(PAYMENTS_FILE, len(payments.order), payment_rows(orders, payments))
    del payments

    reviews = generate_reviews(streams[6], orders)
    emit(REVIEWS_FILE, len(reviews.order), review_rows(orders, reviews))
    del reviews, orders

    emit(
        PRODUCTS_FILE,
        scale.products,
        product_rows(products, streams[7].permutation(scale.products)),
    )
    emit(SELLERS_FILE, scale.sellers, seller_rows(sellers))

    t0 = time.perf_counter()
    written[TRANSLATION_FILE] = _write_translation(out / (TRANSLATION_FILE + suffix), compress)
    if progress:
        progress(
            f"{TRANSLATION_FILE}{suffix}: {written[TRANSLATION_FILE]:,} rows "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        progress(f"done in {time.perf_counter() - clock:.1f}s")
    return written


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="olist-demo-data",
        description="Write deterministic, Olist-shaped demo CSVs (the 8 Kaggle files).",
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory (created)")
    parser.add_argument(
        "--customers",
        type=int,
        default=REAL_CUSTOMERS,
        help=f"persons (customer_unique_id); default {REAL_CUSTOMERS:,} = real size",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz files")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error(f"--customers must be >= 1, got {args.customers}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"cannot create output directory {args.out}: {exc.strerror or exc}")
    if not args.out.is_dir() or not os.access(args.out, os.W_OK | os.X_OK):
        parser.error(f"output directory {args.out} is not writable")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (console script ``olist-demo-data``); returns the exit code."""
    args = _parse_args(argv)

    def to_stderr(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        written = generate(
            args.out, args.customers, args.seed, compress=args.gzip, progress=to_stderr
        )
    except OSError as exc:
        print(f"olist-demo-data: error: cannot write to {args.out}: {exc}", file=sys.stderr)
        return 1
    suffix = ".gz" if args.gzip else ""
    width = max(len(name) for name in written) + len(suffix)
    print(f"wrote {len(written)} files to {args.out}")
    for name, rows in written.items():
        print(f"  {name + suffix:<{width}}  {rows:>12,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
