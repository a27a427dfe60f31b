"""Sellers and the product catalogue: who sells what, in which category, at which price."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.calibration import REAL_PRODUCTS
from olist_segmentation.demo.catalogue import (
    CATEGORIES,
    NO_CATEGORY_PRICE,
    NO_CATEGORY_SHARE,
    PHOTOS_QTY,
    PRICE_LEVEL,
    PRICE_LOG_SD,
    PRICE_TAIL,
)
from olist_segmentation.demo.geography import (
    CITIES,
    COMMA_SELLER_CITIES,
    STATES,
    city_table,
    draw_places,
)
from olist_segmentation.demo.sampling import (
    IntArray,
    cover_then_draw,
    hex_ids,
    lognormal,
    probabilities,
)


@dataclass(frozen=True)
class Sellers:
    """Sellers: ids, city index into :data:`CITIES`, zip prefix, optional comma-city override."""

    ids: NDArray[np.bytes_]
    city: IntArray
    zip_prefix: IntArray
    comma_city: IntArray  # index into COMMA_SELLER_CITIES or -1


def generate_sellers(rng: np.random.Generator, n_sellers: int) -> Sellers:
    """Sellers placed by the real seller state shares (60% SP), two with a comma in the city."""
    _, _, _, states = city_table()
    w = np.array([c[4] for c in CITIES], dtype=np.float64)
    state_total = {s: sum(c[4] for c in CITIES if c[1] == s) for s in STATES}
    p = np.array([w[i] / state_total[s] * STATES[s][1] for i, s in enumerate(states)])
    city, zips = draw_places(rng, n_sellers, p / p.sum())
    comma = np.full(n_sellers, -1, dtype=np.int64)
    if n_sellers >= 2 * len(COMMA_SELLER_CITIES):
        lo, hi, _, _ = city_table()
        pick = rng.choice(n_sellers, size=len(COMMA_SELLER_CITIES), replace=False)
        for k, (name, state) in enumerate(COMMA_SELLER_CITIES):
            comma[pick[k]] = k
            home = next(i for i, c in enumerate(CITIES) if c[1] == state and name.startswith(c[0]))
            city[pick[k]] = home
            zips[pick[k]] = lo[home] + int(rng.integers(0, hi[home] - lo[home] + 1))
    return Sellers(ids=hex_ids(rng, n_sellers), city=city, zip_prefix=zips, comma_city=comma)


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


def generate_products(rng: np.random.Generator, n_products: int, n_sellers: int) -> Products:
    """Products with skewed category and sales popularity, and category-level price levels."""
    cat_w = np.array([c[2] for c in CATEGORIES], dtype=np.float64)
    cat_w = np.append(cat_w / cat_w.sum() * (1 - NO_CATEGORY_SHARE), NO_CATEGORY_SHARE)
    category = rng.choice(len(cat_w), size=n_products, p=cat_w).astype(np.int64)
    category[category == len(CATEGORIES)] = -1
    # Make sure the categories missing from the translation table exist, as in the real data.
    if n_products >= 100:
        category[0] = [c[0] for c in CATEGORIES].index("pc_gamer")
        category[1] = [c[0] for c in CATEGORIES].index(
            "portateis_cozinha_e_preparadores_de_alimentos"
        )
    no_cat = category < 0

    name_len = np.rint(64 - lognormal(rng, 13.0, 0.68, n_products))
    name_len = np.clip(name_len, 5, 76).astype(np.int64)
    desc_len = np.rint(lognormal(rng, 595.0, 0.82, n_products))
    desc_len = np.clip(desc_len, 4, 3992).astype(np.int64)
    photos = rng.choice(len(PHOTOS_QTY), size=n_products, p=probabilities(PHOTOS_QTY))
    photos = photos.astype(np.int64) + 1
    for col in (name_len, desc_len, photos):
        col[no_cat] = -1

    z_weight = rng.standard_normal(n_products)
    weight = np.clip(np.rint(700 * np.exp(1.4 * z_weight)), 0, 40425).astype(np.int64)
    weight[rng.random(n_products) < 0.0003] = 0

    def dim(median: float, sigma: float, lo: int, hi: int) -> IntArray:
        z = 0.8 * z_weight + 0.6 * rng.standard_normal(n_products)
        return np.clip(np.rint(median * np.exp(sigma * z)), lo, hi).astype(np.int64)

    length, height, width = dim(25, 0.59, 7, 105), dim(13, 0.9, 2, 105), dim(20, 0.5, 6, 118)
    if n_products >= 3:
        n_no_dims = max(1, round(2 * n_products / REAL_PRODUCTS))
        no_dims = rng.choice(np.arange(2, n_products), size=n_no_dims)
        for col in (weight, length, height, width):
            col[no_dims] = -1

    level = np.append(np.array([c[3] for c in CATEGORIES]), NO_CATEGORY_PRICE)[category]
    z_price = rng.standard_normal(n_products)
    z_price += PRICE_TAIL * np.maximum(z_price - 1.5, 0)
    price = PRICE_LEVEL * level * np.exp(PRICE_LOG_SD * z_price)
    price_cents = np.clip(np.rint(price * 100), 85, 673_500).astype(np.int64)

    seller_popularity = np.exp(1.8 * np.minimum(rng.standard_normal(n_sellers), 2.6))
    seller = cover_then_draw(rng, n_products, seller_popularity)
    shared = rng.random(n_products) < 0.037
    second = np.where(shared, rng.integers(0, n_sellers, size=n_products), -1)
    second[second == seller] = -1
    return Products(
        ids=hex_ids(rng, n_products),
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
        popularity=np.exp(1.5 * rng.standard_normal(n_products)),
    )
