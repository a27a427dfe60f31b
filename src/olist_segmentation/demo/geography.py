"""Where customers and sellers live: state and city figures measured on the real data.

Only aggregates are kept (orders and sellers per state, median delivery days, the zip-prefix
range and relative weight of the main cities), never a row of the dataset. The two sampling
functions live here too, so that customers and sellers are placed by the same rules.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.sampling import IntArray

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


def city_table() -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], list[str]]:
    """Zip ranges, customer city probabilities and states of :data:`CITIES`."""
    states = [c[1] for c in CITIES]
    lo = np.array([c[2] for c in CITIES], dtype=np.int64)
    hi = np.array([c[3] for c in CITIES], dtype=np.int64)
    w = np.array([c[4] for c in CITIES], dtype=np.float64)
    state_total = {s: w[[i for i, x in enumerate(states) if x == s]].sum() for s in STATES}
    p = np.array([w[i] / state_total[s] * STATES[s][0] for i, s in enumerate(states)])
    return lo, hi, p / p.sum(), states


def draw_places(
    rng: np.random.Generator, n_places: int, probs: NDArray[np.float64]
) -> tuple[IntArray, IntArray]:
    """Draw cities with the given probabilities and a zip prefix inside each city's range."""
    lo, hi, _, _ = city_table()
    city = rng.choice(len(CITIES), size=n_places, p=probs).astype(np.int32)
    offset = np.floor(rng.random(n_places) * (hi[city] - lo[city] + 1)).astype(np.int64)
    zips = lo[city] + offset
    return city, zips.astype(np.int32)
