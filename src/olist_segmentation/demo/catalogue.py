"""The product catalogue measured on the real data: categories, their size and price level.

Category names and their English translations are the dataset's vocabulary (the translation
table is part of the 8 files); sizes and prices are aggregates, never rows.
"""

from __future__ import annotations

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
