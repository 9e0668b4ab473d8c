"""Population of ERCOT's eight weather zones from Census county populations (used by derive_tables.py).

ERCOT's weather zones are sets of Texas counties. The county lists below are those of
`data/weather_zone_counties.json` in GitHub WiDSTexas2021/datathon-code (commit 9cc38aa0, 2021; drawn from
ERCOT's weather-zone map, which the repository ships as `ercotWeatherZoneMap.png`). A county lying across a
zone border is listed under each zone it touches. Rules applied here (judgement, stated in SOURCES.md):
  * PRIMARY: a populous county listed under several zones goes wholly to the zone that holds its main city
    (Collin, Denton, Wise, Hunt, Kaufman, Bell, Coryell -> NCEN; Williamson, Bexar -> SCEN; Montgomery,
    Waller, Victoria -> COAS; Henderson -> EAST). Any other county listed under k zones gives 1/k to each.
  * ERCOT_SHARE: counties wholly or partly outside ERCOT count with the share of their people inside
    ERCOT (assumed): 0 for Entergy Texas / SWEPCO / SPS / El Paso Electric territory, 0.3-0.7 for split
    counties (Lubbock 0.7: Lubbock Power & Light moved into ERCOT in 2021).
Populations: U.S. Census Bureau county resident population estimates for 1 July 2019 (Vintage 2019), as
tabulated by GitHub youyanggu/covid19_projections `infections/counties/tx/index.md` (all 254 counties). They
are scaled so that the eight zones sum to ERCOT's 27,000,000 (regions/us-22.toml), which also absorbs
Texas' growth 2019->2024 (+7-8 %); faster suburban growth (Collin, Denton, Williamson, Fort Bend,
Montgomery, Kaufman) is not captured, so NCEN, SCEN and COAS are slightly low.
"""

ZONES = ["COAS", "EAST", "FWES", "NCEN", "NRTH", "SCEN", "SOUT", "WEST"]
TOTAL = 27_000_000

# county -> zones it is listed under (WiDSTexas2021/datathon-code data/weather_zone_counties.json)
LISTED = {
    "COAS": "Austin Brazoria Calhoun Chambers Colorado Fort_Bend Galveston Goliad Grimes Hardin Harris Jackson Jasper "
            "Jefferson Liberty Matagorda Montgomery Newton Orange Polk San_Jacinto Tyler Victoria Waller Wharton",
    "EAST": "Anderson Angelina Brazos Camp Cass Cherokee Falls Franklin Freestone Gregg Grimes Harrison Henderson Hopkins "
            "Houston Hunt Jasper Kaufman Leon Limestone Madison Marion Miller Montgomery Morris Nacogdoches Navarro Newton "
            "Panola Rains Robertson Rusk Sabine San_Augustine Shelby Smith Titus Trinity Upshur Van_Zandt Walker Waller "
            "Washington Wood",
    "FWES": "Andrews Borden Brewster Crane Crockett Culberson Dawson Ector El_Paso Gaines Glasscock Howard Hudspeth "
            "Jeff_Davis Loving Lynn Martin Midland Otero Pecos Presidio Reagan Reeves Terrell Upton Val_Verde Ward Winkler",
    "NRTH": "Archer Armstrong Baylor Bowie Briscoe Childress Clay Collin Collingsworth Cooke Cottle Crosby Denton Dickens "
            "Donley Fannin Floyd Foard Grayson Hall Hardeman Haskell Hemphill Hunt Jack Kent King Knox Lamar Lubbock "
            "Montague Motley Red_River Stonewall Wheeler Wichita Wilbarger Wise",
    "NCEN": "Archer Bell Bosque Brown Burnet Callahan Coleman Collin Comanche Cooke Coryell Dallas Delta Denton Eastland "
            "Ellis Erath Falls Fannin Freestone Grayson Hamilton Henderson Hill Hood Hopkins Hunt Jack Johnson Kaufman "
            "Lampasas Limestone McLennan Milam Mills Navarro Palo_Pinto Parker Rains Robertson Rockwall Shackelford "
            "Somervell Stephens Tarrant Throckmorton Van_Zandt Williamson Wise Young",
    "SOUT": "Aransas Atascosa Bee Bexar Brooks Calhoun Cameron Dimmit Duval Frio Goliad Hidalgo Jim_Hogg Jim_Wells Kenedy "
            "Kleberg La_Salle Live_Oak Maverick McMullen Medina Nueces Refugio San_Patricio Starr Webb Willacy Wilson "
            "Zapata Zavala",
    "SCEN": "Atascosa Austin Bandera Bastrop Bee Bell Bexar Blanco Burleson Burnet Caldwell Colorado Comal DeWitt Falls "
            "Fayette Frio Goliad Gonzales Guadalupe Hays Karnes Kendall Kerr Lavaca Lee Live_Oak Llano Medina Milam Real "
            "Travis Victoria Washington Williamson Wilson",
    "WEST": "Bandera Bell Blanco Borden Burnet Callahan Coke Coleman Concho Coryell Edwards Fisher Gillespie Haskell Irion "
            "Jones Kendall Kent Kerr Kimble Kinney Lampasas Llano Mason McCulloch Medina Menard Mills Mitchell Nolan Real "
            "Runnels San_Saba Schleicher Scurry Shackelford Sterling Stonewall Sutton Taylor Throckmorton Tom_Green Uvalde "
            "Val_Verde",
}

PRIMARY = {"Collin": "NCEN", "Denton": "NCEN", "Wise": "NCEN", "Hunt": "NCEN", "Kaufman": "NCEN", "Bell": "NCEN",
           "Coryell": "NCEN", "Williamson": "SCEN", "Bexar": "SCEN", "Montgomery": "COAS", "Waller": "COAS",
           "Victoria": "COAS", "Henderson": "EAST"}

# share of the county's people inside ERCOT (1 unless listed)
ERCOT_SHARE = {
    # Entergy Texas (SERC/MISO): Beaumont-Port Arthur, the Woodlands/Conroe, Huntsville
    "Jefferson": 0, "Orange": 0, "Hardin": 0, "Jasper": 0, "Newton": 0, "Tyler": 0, "Polk": 0, "San_Jacinto": 0,
    "Walker": 0, "Liberty": 0.3, "Montgomery": 0.3, "Trinity": 0.5,
    # SWEPCO (SPP): Texarkana, Longview, Marshall and the northeast corner; Miller is in Arkansas
    "Bowie": 0, "Miller": 0, "Cass": 0, "Marion": 0, "Harrison": 0, "Gregg": 0, "Panola": 0.3, "Upshur": 0.5,
    "Camp": 0.5, "Morris": 0.5, "Titus": 0.5, "Rusk": 0.7, "Shelby": 0.5, "Sabine": 0.5, "San_Augustine": 0.5,
    "Red_River": 0.5, "Lamar": 0.7,
    # SPS (SPP): the Panhandle and South Plains
    "Armstrong": 0, "Hemphill": 0, "Wheeler": 0, "Donley": 0, "Collingsworth": 0, "Briscoe": 0, "Floyd": 0.3,
    "Hall": 0.5, "Childress": 0.5, "Crosby": 0.5, "Lubbock": 0.7, "Gaines": 0.5, "Lynn": 0.5, "Dawson": 0.7,
    # El Paso Electric (WECC) and New Mexico
    "El_Paso": 0, "Hudspeth": 0, "Otero": 0, "Culberson": 0.5,
}

# Census Vintage 2019 county population (1 July 2019)
POP = dict(
    Harris=4713325, Dallas=2635516, Tarrant=2102515, Bexar=2003554, Travis=1273954, Collin=1034730, Denton=887207,
    Hidalgo=868707, El_Paso=839238, Fort_Bend=811688, Montgomery=607391, Williamson=590551, Cameron=423163,
    Brazoria=374264, Bell=362924, Nueces=362294, Galveston=342139, Lubbock=310569, Webb=276652, McLennan=256623,
    Jefferson=251565, Smith=232751, Hays=230191, Brazos=229211, Ellis=184826, Midland=176832, Johnson=175817,
    Guadalupe=166847, Ector=166223, Comal=156209, Parker=142878, Taylor=138034, Grayson=136212, Kaufman=136154,
    Wichita=132230, Gregg=123945, Tom_Green=119200, Rockwall=104915, Hunt=98594, Bowie=93245, Victoria=92084,
    Bastrop=88723, Liberty=88219, Angelina=86715, Orange=83396, Henderson=82737, Coryell=75951, Walker=72971,
    Wise=69984, San_Patricio=66730, Harrison=66553, Nacogdoches=65204, Starr=64633, Hood=61643, Maverick=58722,
    Anderson=57735, Hardin=57602, Van_Zandt=56590, Waller=55246, Rusk=54406, Cherokee=52646, Kerr=52600,
    Medina=51584, Polk=51353, Atascosa=51153, Wilson=51070, Navarro=50113, Lamar=49859, Val_Verde=49025,
    Burnet=48155, Kendall=47431, Wood=45539, Chambers=43837, Caldwell=43664, Erath=42698, Upshur=41753,
    Wharton=41556, Cooke=41257, Jim_Wells=40482, Brown=37864, Hopkins=37084, Howard=36664, Hill=36649,
    Matagorda=36643, Washington=35882, Jasper=35529, Fannin=35514, Titus=32750, Bee=32565, Kleberg=30680,
    Austin=30032, Cass=30026, Palo_Pinto=29189, Grimes=28880, San_Jacinto=28859, Gillespie=26988, Uvalde=26741,
    Fayette=25346, Shelby=25274, Milam=24823, Aransas=23510, Limestone=23437, Panola=23194, Bandera=23112,
    Houston=22968, Llano=21795, Tyler=21672, Colorado=21493, Gaines=21492, Lampasas=21428, Willacy=21358,
    Calhoun=21290, Gonzales=20837, Frio=20306, DeWitt=20160, Lavaca=20154, Jones=20083, Montague=19818,
    Freestone=19717, Andrews=18705, Bosque=18685, Burleson=18443, Eastland=18360, Young=18010, Leon=17404,
    Falls=17297, Lee=17239, Robertson=17074, Scurry=16703, Reeves=15976, Pecos=15823, Karnes=15601, Jackson=14760,
    Nolan=14714, Trinity=14651, Madison=14284, Zapata=14179, Callahan=13943, Comanche=13635, Newton=13595,
    Camp=13094, Wilbarger=12769, Dawson=12728, Rains=12514, Morris=12388, Live_Oak=12207, Red_River=12023,
    Ward=11998, Blanco=11931, Zavala=11840, Duval=11157, Franklin=10725, Sabine=10542, Clay=10471, Runnels=10264,
    Dimmit=10124, Marion=9854, Stephens=9366, Brewster=9203, Somervell=9128, Jack=8935, Archer=8553,
    Mitchell=8545, Hamilton=8461, San_Augustine=8237, Coleman=8175, Winkler=8010, McCulloch=7984, Goliad=7658,
    La_Salle=7520, Childress=7306, Brooks=7093, Refugio=6948, Presidio=6704, San_Saba=6055, Lynn=5951,
    Martin=5771, Crosby=5737, Floyd=5712, Haskell=5658, Delta=5331, Jim_Hogg=5200, Wheeler=5056, Hudspeth=4886,
    Mills=4873, Crane=4797, Kimble=4337, Mason=4274, Hardeman=3933, Reagan=3849, Fisher=3830, Hemphill=3819,
    Sutton=3776, Kinney=3667, Knox=3664, Upton=3657, Baylor=3509, Crockett=3464, Real=3452, Coke=3387,
    Donley=3278, Shackelford=3265, Hall=2964, Collingsworth=2920, Schleicher=2793, Concho=2726, Jeff_Davis=2274,
    Dickens=2211, Culberson=2171, Menard=2138, Edwards=1932, Armstrong=1887, Briscoe=1546, Irion=1536,
    Throckmorton=1501, Glasscock=1409, Cottle=1398, Stonewall=1350, Sterling=1291, Motley=1200, Foard=1155,
    Terrell=776, Kent=762, McMullen=743, Borden=654, Kenedy=404, King=272, Loving=169,
    Otero=67490,  # Otero County, New Mexico (not in ERCOT; weight 0)
)


def zone_population():
    """Returns ({zone: population scaled to TOTAL}, {zone: unscaled sum}, scale, top counties per zone)."""
    zones_of = {}
    for z, names in LISTED.items():
        for c in names.split():
            zones_of.setdefault(c, []).append(z)
    raw = {z: 0.0 for z in ZONES}
    parts = {z: [] for z in ZONES}
    for c, zs in zones_of.items():
        if ERCOT_SHARE.get(c, 1) == 0:
            continue
        people = POP[c] * ERCOT_SHARE.get(c, 1)
        split = {PRIMARY[c]: 1.0} if c in PRIMARY else {z: 1 / len(zs) for z in zs}
        for z, w in split.items():
            raw[z] += people * w
            parts[z].append((people * w, c))
    s = sum(raw.values())
    scale = TOTAL / s
    out = {z: int(round(raw[z] * scale, -3)) for z in ZONES}
    out["COAS"] += TOTAL - sum(out.values())  # rounding remainder (< 4,000 people)
    top = {z: [c.replace("_", " ") for _, c in sorted(parts[z], reverse=True)[:4]] for z in ZONES}
    return out, raw, scale, top


if __name__ == "__main__":
    out, raw, scale, top = zone_population()
    print(f"ERCOT counties (weighted), Census V2019: {sum(raw.values()):,.0f}; scale to {TOTAL:,}: {scale:.4f}")
    for z in ZONES:
        print(f"ERCO-{z}: {raw[z]:>12,.0f} -> {out[z]:>12,}  ({', '.join(top[z])})")
