"""One-off generator of the shipped cell presets (kept out of the repo; numbers documented in each file)."""
import math, tomllib, numpy as np
from pathlib import Path
from packstudy import ecm_fit, catalog
D = Path(__file__).resolve().parents[1] / 'src' / 'packstudy' / 'data' / 'cells'
lg = tomllib.loads((D/'lg-m50.toml').read_text())
LG_C = lg['capacity_Ah']
CP = catalog.factors('cell_defaults')['specific_heat_J_per_kgK']
EA = catalog.factors('cell_defaults')['resistance_activation_energy_J_per_mol']
SOC = np.round(np.linspace(0, 1, 41), 4)

def up_nmc811(y):  # Chen et al. 2020 JES 167 080534, eq. for NMC811 OCP
    return (-0.8090*y+4.4875-0.0428*np.tanh(18.5138*(y-0.5542))-17.7326*np.tanh(15.7890*(y-0.3117))
            +17.5842*np.tanh(15.9308*(y-0.3120)))
def un_graphite_chen(x):
    return (1.9793*np.exp(-39.3631*x)+0.2482-0.0909*np.tanh(29.8538*(x-0.1234))
            -0.04478*np.tanh(14.9159*(x-0.2769))-0.0205*np.tanh(30.4444*(x-0.6103)))
def up_lfp(x):  # About:Energy LFP 18650 BPX (2022)
    return 3.41285712 - 1.49721852e-02*x + 3.54866018e+14*np.exp(-3.95729493e+02*x) - 1.45998465*np.exp(-1.10108622e+02*(1-x))
def un_graphite_ae(x):
    return (5.29210878e+01*np.exp(-1.72699386e+02*x) - 1.17963399e+03 + 1.20956356e+03*np.tanh(6.72033948e+01*(x+2.44746396e-02))
            + 4.52430314e-02*np.tanh(-1.47542326e+01*(x-1.62746053e-01)) + 2.01855800e+01*np.tanh(-2.46666302e+01*(x-1.12986136e+00))
            + 2.01708039e-02*np.tanh(-1.19900231e+01*(x-5.49773440e-01)) + 4.99616805e+01*np.tanh(-6.11370883e+01*(x+4.69382558e-03)))

def window(fun_soc, vmin, vmax):
    """soc in 0..1 of a full-cell OCV function of a lithiation fraction s (0 = empty); rescale s so OCV(0)=vmin, OCV(1)=vmax."""
    s = np.linspace(0, 1, 20001); v = fun_soc(s)
    lo = s[np.argmax(v >= vmin)]; hi = s[np.argmax(v >= vmax)] if v.max() >= vmax else 1.0
    out = fun_soc(lo + SOC*(hi-lo)); out[0] = vmin; out[-1] = min(vmax, out[-1]) if v.max() >= vmax else out[-1]
    return np.maximum.accumulate(out + 1e-7*np.arange(out.size))

def nmc_graphite(s):  # Chen2020 electrodes over the LG M50 eSOH-like window, s=SOC
    x = 0.0263 + s*(0.9106-0.0263); y = 0.8540 - s*(0.8540-0.2638)
    return up_nmc811(y) - un_graphite_chen(x)
def lfp_graphite(s):
    x = 0.0016261 + s*(0.82258-0.0016261); y = 0.95038 - s*(0.95038-0.0875)
    return up_lfp(y) - un_graphite_ae(x)
def lmfp_graphite(s, f_mn=0.6, dmn=0.62):
    x = 0.0016261 + s*(0.82258-0.0016261); y = 0.95038 - s*(0.95038-0.0875)
    # lithiation y: Mn3+/Mn2+ couple (first f_mn of the lithium, ~0.62 V above Fe) then Fe3+/Fe2+
    fe = np.clip((y - f_mn)/(0.95038 - f_mn), 0, 1); mn = np.clip((y - 0.0875)/(f_mn - 0.0875), 0, 1)
    w = lambda u: 0.0875 + u*(0.95038-0.0875)
    up = np.where(y < f_mn, up_lfp(w(mn)) + dmn, up_lfp(w(fe)))
    return up - un_graphite_ae(x)
def li_metal(s):
    y = 0.98 - s*(0.98-0.2638)
    return up_nmc811(y)

def charge_map(c_peak):
    soc = [0.0, 0.5, 0.8, 0.9, 1.0]; shape = [1.0, 1.0, 0.55, 0.3, 0.1]
    temp = [-20.0, 0.0, 10.0, 25.0, 45.0]; tf = [0.05, 0.2, 0.5, 1.0, 1.0]
    return {"soc": soc, "temperature_C": temp, "c_rate_max": [[round(c_peak*a*b, 3) for b in tf] for a in shape]}
def c_peak_for(minutes, lo=0.1, hi=0.8):
    """c_peak so that charging lo..hi at 25 degC along the map's C-rate takes `minutes`."""
    s = np.linspace(lo, hi, 2001); shape = np.interp(s, [0, .5, .8, .9, 1], [1, 1, .55, .3, .1])
    return float(np.trapezoid(1/shape, s) * 60 / minutes)

def resistance(cap):
    r = lg['resistance']; k = LG_C/cap
    return {"soc": r['soc'], "r0_ohm": [round(v*k, 7) for v in r['r0_ohm']], "r1_ohm": [round(v*k, 7) for v in r['r1_ohm']],
            "tau1_s": r['tau1_s'], "activation_energy_J_per_mol": EA['value']}
RES_SRC = ("lg-m50 fit (packstudy ecm_fit to the Chen2020 DFN pulse test) scaled by capacity (5.15 Ah / this cell's Ah): "
           "same area-specific resistance assumed; Arrhenius " + EA['source'])
LG_OCV = "Chen et al. 2020, J. Electrochem. Soc. 167 080534: NMC811 and graphite OCP functions over the LG M50 stoichiometry window (x 0.026-0.911, y 0.854-0.264)"

def write(name, d):
    d = {"schema_version": 1, "name": name, **d}
    text = "# Cell preset; numbers and their sources below (derived values state their arithmetic).\n" + ecm_fit.dump_toml(d)
    (D/f"{name}.toml").write_text(text)

def common(cap, vnom, vmin, vmax, shape, ocv_src, cmin, csrc, **kw):
    ocv = window(shape, vmin, vmax)
    return dict(capacity_Ah=cap, nominal_voltage_V=vnom, v_min_V=vmin, v_max_V=vmax,
                specific_heat_J_per_kgK=CP['value'],
                ocv={"soc": SOC.tolist(), "ocv_V": [round(float(v), 5) for v in ocv]},
                resistance=resistance(cap if not isinstance(cap, dict) else cap['value']),
                charge_map=charge_map(c_peak_for(cmin)), **kw)

SRC_CP = CP['source']
MAPNOTE = "charge-rate map: constant C-rate to 50 % SOC, tapering to 55 % of it at 80 %, 30 % at 90 %, 10 % at 100 %; x0.05/0.2/0.5 at -20/0/10 degC (shape assumed), peak set so that 10-80 % at 25 degC takes "

# ---- nmc811-pouch: Hyundai E-GMP (IONIQ 5 72.6 kWh) SK On pouch
cap = 55.6
write("nmc811-pouch", dict(
    description="NMC811 / graphite pouch cell, E-GMP class (Hyundai IONIQ 5 / Kia EV6, SK On), 55.6 Ah",
    chemistry="nmc811-graphite", format="pouch",
    **common(cap, 3.63, 2.5, 4.2, nmc_graphite, LG_OCV, 18.0, "",
             mass_kg=round(450*0.61/360, 4), volume_L=round(cap*3.63/647, 4),
             i_max_discharge_A=111.2, i_max_charge_A=round(c_peak_for(18.0)*cap, 1),
             i_peak_discharge_A=183.0, i_peak_charge_A=round(c_peak_for(18.0)*cap, 1)),
    assumptions=["cell mass and volume derived from pack and model figures (see sources), not weighed",
                 "resistance scaled from the fitted lg-m50 (same area-specific resistance)",
                 "continuous discharge 2C (assumed); " + MAPNOTE + "18 min"],
    sources={
        "capacity_Ah": "Hyundai IONIQ 5 long range (2021): 72.6 kWh, 653 V, 111.2 Ah pack of 360 cells in 180S2P -> 55.6 Ah per cell [D]",
        "nominal_voltage_V": "Hyundai IONIQ 5 (2021): 653 V / 180 cells in series = 3.63 V [D]",
        "v_min_V": "NMC/graphite discharge cut-off 2.5 V (LG Chem INR21700 M50 specification, 2016; same couple)",
        "v_max_V": "NMC/graphite charge voltage 4.2 V (LG Chem INR21700 M50 specification, 2016; same couple)",
        "mass_kg": "72.6 kWh E-GMP pack about 450 kg (InsideEVs teardown, 2021) x cell mass fraction 0.61 of module-based packs (BatPaC 5.0, Argonne 2022) / 360 cells [D]",
        "volume_L": "201.8 Wh / 647 Wh/L, BatPaC 5.0 (Argonne 2022) NMC811 EV cell volumetric energy [D]",
        "i_max_discharge_A": "2C continuous (assumption)",
        "i_max_charge_A": "peak of the charge map at 25 degC (see charge_map)",
        "i_peak_discharge_A": "IONIQ 5 AWD 239 kW peak (Hyundai 2021) / 653 V / 2 parallel = 183 A [D]",
        "i_peak_charge_A": "peak of the charge map at 25 degC",
        "specific_heat_J_per_kgK": SRC_CP,
        "ocv": LG_OCV, "resistance": RES_SRC,
        "charge_map": "Hyundai IONIQ 5 (2021): 10-80 % in 18 min on a 350 kW charger; " + MAPNOTE + "18 min"}))

# ---- nmc9-pouch: Ford F-150 Lightning (SK On NCM9)
cap = 60.0
e = cap*3.65
write("nmc9-pouch", dict(
    description="High-nickel NCM9 (~90 % Ni) / graphite-Si pouch cell, Ford F-150 Lightning class (SK On)",
    chemistry="nmc9-graphite-si", format="pouch",
    **common({"value": cap, "low": 55.6, "high": 65.0}, 3.65, 2.5, 4.2, nmc_graphite, LG_OCV, 44.0, "",
             mass_kg={"value": round(e/263, 4), "low": round(e/290, 4), "high": round(e/250, 4)},
             volume_L=round(e/680, 4),
             i_max_discharge_A=120.0, i_max_charge_A=round(c_peak_for(44.0)*cap, 1),
             i_peak_discharge_A=240.0, i_peak_charge_A=round(c_peak_for(44.0)*cap, 1)),
    assumptions=["cell Ah not published: an E-GMP-format SK On pouch (55.6 Ah) taken up to 60 Ah for the higher-nickel cathode (low/high 55.6-65)",
                 "specific energy derived from the pack (F-150 Lightning ER 131 kWh, ~816 kg) with the BatPaC module mass fraction",
                 "OCV shape of NMC811/graphite (Chen 2020); resistance scaled from lg-m50", "continuous discharge 2C, peak 4C (assumed); " + MAPNOTE + "44 min"],
    sources={
        "capacity_Ah": "assumption (see assumptions): SK On E-GMP cell 55.6 Ah (Hyundai IONIQ 5 pack, 2021) as the low end",
        "nominal_voltage_V": "NCM9 / graphite nominal about 3.65 V (assumption, between NMC811 3.63 V of LG M50 and NCA 3.6-3.7 V)",
        "v_min_V": "NMC/graphite discharge cut-off 2.5 V (LG Chem INR21700 M50 specification, 2016)",
        "v_max_V": "NMC/graphite charge voltage 4.2 V (LG Chem INR21700 M50 specification, 2016)",
        "mass_kg": "F-150 Lightning ER: 131 kWh, battery about 1,800 lb (816 kg) (Ford 2021-22 via Ford Authority) -> 160 Wh/kg pack / 0.61 cell mass fraction (BatPaC 5.0, 2022) = 263 Wh/kg cell [D]",
        "volume_L": "680 Wh/L: BatPaC 5.0 (2022) NMC811 cell 647 Wh/L plus ~5 % for the higher-nickel cathode (assumption)",
        "i_max_discharge_A": "2C continuous (assumption)", "i_max_charge_A": "peak of the charge map at 25 degC",
        "i_peak_discharge_A": "4C 10 s (assumption)", "i_peak_charge_A": "peak of the charge map at 25 degC",
        "specific_heat_J_per_kgK": SRC_CP, "ocv": LG_OCV, "resistance": RES_SRC,
        "charge_map": "Ford F-150 Lightning extended range (2022): 15-80 % in 41 min at 150 kW (about 44 min for 10-80 %); " + MAPNOTE + "44 min"}))

# ---- nmc622-prismatic: BMW i3 120 Ah (Samsung SDI)
cap = 120.0
write("nmc622-prismatic", dict(
    description="NMC622-class / graphite prismatic cell, Samsung SDI 120 Ah (BMW i3 2019, VDA BEV2 can)",
    chemistry="nmc622-graphite", format="prismatic",
    **common(cap, 3.67, 2.7, 4.15, nmc_graphite, LG_OCV, 45.0, "",
             mass_kg=round(278*0.61/96, 4), dimensions_mm={"length": 173.0, "width": 115.0, "thickness": 45.0},
             i_max_discharge_A=240.0, i_max_charge_A=round(c_peak_for(45.0)*cap, 1),
             i_peak_discharge_A=400.0, i_peak_charge_A=round(c_peak_for(45.0)*cap, 1)),
    assumptions=["cell mass derived from the pack mass with the BatPaC module mass fraction",
                 "voltage window 2.7-4.15 V assumed for an automotive NMC622 prismatic cell",
                 "OCV shape of NMC811/graphite (Chen 2020) on that window; resistance scaled from lg-m50",
                 "continuous discharge 2C (assumed); " + MAPNOTE + "45 min"],
    sources={
        "capacity_Ah": "BMW i3 120 Ah (2018): 42.2 kWh, 96 cells of 120 Ah (BMW press kit 2018)",
        "nominal_voltage_V": "BMW i3 120 Ah: 352 V nominal / 96 cells = 3.67 V [D]",
        "v_min_V": "assumption (typical automotive NMC prismatic lower limit)", "v_max_V": "assumption (typical automotive NMC prismatic upper limit)",
        "mass_kg": "BMW i3 120 Ah battery 278 kg (BMW 2018) x 0.61 cell mass fraction (BatPaC 5.0, 2022) / 96 cells [D]",
        "dimensions_mm": "VDA BEV2 prismatic can 173 x 115 x 45 mm (VDA format used for Samsung SDI 94/120 Ah cells)",
        "i_max_discharge_A": "2C continuous (assumption)", "i_max_charge_A": "peak of the charge map at 25 degC",
        "i_peak_discharge_A": "i3 peak 125 kW / 352 V = 355 A, rounded up to 400 A (BMW 2018) [D]", "i_peak_charge_A": "peak of the charge map at 25 degC",
        "specific_heat_J_per_kgK": SRC_CP, "ocv": LG_OCV, "resistance": RES_SRC,
        "charge_map": "BMW i3 120 Ah: 0-80 % in 42 min at 50 kW DC (BMW 2018), about 45 min with the taper for 10-80 %; " + MAPNOTE + "45 min"}))

# ---- nca-21700: Samsung INR21700-50S class
cap = 5.0
write("nca-21700", dict(
    description="NCA / graphite-Si 21700 cylindrical cell, 5.0 Ah (Samsung SDI INR21700-50S class)",
    chemistry="nca-graphite-si", format="cylindrical",
    **common(cap, 3.6, 2.5, 4.2, nmc_graphite, LG_OCV, 30.0, "",
             mass_kg=0.072, dimensions_mm={"diameter": 21.1, "height": 70.2},
             i_max_discharge_A=25.0, i_max_charge_A=6.0, i_peak_discharge_A=35.0, i_peak_charge_A=6.0),
    assumptions=["OCV shape of NMC811/graphite (Chen 2020) used for NCA (layered oxide, similar curve); resistance scaled from lg-m50",
                 "10 s peak discharge 7C (assumed); " + MAPNOTE + "30 min"],
    sources={
        "capacity_Ah": "Samsung INR21700-50S: 5,000 mAh typ. (batteryspace.com listing of the Samsung spec)",
        "nominal_voltage_V": "Samsung INR21700-50S: 3.6 V (same listing)",
        "v_min_V": "Samsung INR21700-50S: discharge cut-off 2.5 V", "v_max_V": "Samsung INR21700-50S: charge voltage 4.2 V",
        "mass_kg": "Samsung INR21700-50S: 72.0 g max (same listing)",
        "dimensions_mm": "21700 format: 21 mm x 70 mm nominal (max 21.1 x 70.2 mm as LG M50 / Samsung 50S specifications)",
        "i_max_discharge_A": "Samsung INR21700-50S: max continuous discharge 25 A (Samsung SDI spec)",
        "i_max_charge_A": "Samsung INR21700-50S: max charge current 6 A (Samsung SDI spec)",
        "i_peak_discharge_A": "7C 10 s (assumption)", "i_peak_charge_A": "= continuous charge limit (spec gives one value)",
        "specific_heat_J_per_kgK": SRC_CP, "ocv": LG_OCV, "resistance": RES_SRC,
        "charge_map": "6 A (1.2C) spec limit at 25 degC, 10-80 % in about 30 min; " + MAPNOTE + "30 min"}))

# ---- lfp-prismatic: BYD Blade class
cap = 202.0
AE_LFP = "About:Energy LFP|graphite 18650 BPX parameterisation (Faraday Institution BPX examples, 2022): LFP and graphite OCP functions over its stoichiometry window"
write("lfp-prismatic", dict(
    description="LFP / graphite large-format prismatic 'blade' cell, 202 Ah (BYD Blade class)",
    chemistry="lfp-graphite", format="prismatic",
    **common(cap, 3.2, 2.5, 3.65, lfp_graphite, AE_LFP, 30.0, "",
             mass_kg=round(cap*3.2/175, 4), volume_L=round(cap*3.2/(290/0.72), 4),
             i_max_discharge_A=404.0, i_max_charge_A=round(c_peak_for(30.0)*cap, 1),
             i_peak_discharge_A=606.0, i_peak_charge_A=round(c_peak_for(30.0)*cap, 1)),
    assumptions=["cell mass and volume derived from pack figures (see sources)",
                 "resistance scaled from lg-m50 (same area-specific resistance; LFP cells are often higher)",
                 "continuous 2C, peak 3C discharge (assumed); " + MAPNOTE + "30 min"],
    sources={
        "capacity_Ah": "BYD Han EV (2020) blade cell 202 Ah, 3.2 V (teardown reports, 2020-21; 76.9 kWh pack)",
        "nominal_voltage_V": "LFP/graphite nominal 3.2 V (BYD blade)",
        "v_min_V": "LFP/graphite cut-off 2.5 V (common LFP cell specification; About:Energy LFP BPX uses 2.0 V)",
        "v_max_V": "LFP/graphite charge voltage 3.65 V (About:Energy LFP 18650 BPX, 2022)",
        "mass_kg": "646 Wh / 175 Wh/kg: BYD Blade cells ~170-180 Wh/kg behind 140-150 Wh/kg packs (nextbigfuture 2022, BYD 2020) [D]",
        "volume_L": "646 Wh / (290 Wh/L LFP CTP pack, CATL Qilin 2022 / 0.72 volume utilisation) = 403 Wh/L cell [D]",
        "i_max_discharge_A": "2C (assumption)", "i_max_charge_A": "peak of the charge map at 25 degC",
        "i_peak_discharge_A": "3C 10 s (assumption)", "i_peak_charge_A": "peak of the charge map at 25 degC",
        "specific_heat_J_per_kgK": "About:Energy LFP 18650 BPX (2022): 999 J/(kg K) (rounded to the packstudy default 1000)",
        "ocv": AE_LFP, "resistance": RES_SRC,
        "charge_map": "assumption: 10-80 % in 30 min for a current blade-class LFP car (CATL Shenxing LFP claims 4C, 2024); " + MAPNOTE + "30 min"}))

# ---- lmfp-prismatic: Gotion L600 Astroinno class
cap = 200.0
write("lmfp-prismatic", dict(
    description="LMFP (LiMn0.6Fe0.4PO4) / graphite prismatic cell, Gotion L600 Astroinno class (2024)",
    chemistry="lmfp-graphite", format="prismatic",
    **common(cap, 3.63, 2.5, 4.25, lmfp_graphite, "", 30.0, "",
             mass_kg={"value": round(cap*3.63/240, 4), "low": round(cap*3.63/240, 4), "high": round(cap*3.63/220, 4)},
             volume_L=round(cap*3.63/525, 4),
             i_max_discharge_A=400.0, i_max_charge_A=round(c_peak_for(30.0)*cap, 1),
             i_peak_discharge_A=600.0, i_peak_charge_A=round(c_peak_for(30.0)*cap, 1)),
    assumptions=["cell Ah not published: 200 Ah assumed (large-format prismatic); mass and volume follow from the published Wh/kg and Wh/L",
                 "OCV: LFP curve (About:Energy BPX 2022) for the Fe share, shifted up 0.62 V for the Mn share (60 % of capacity)",
                 "resistance scaled from lg-m50", "continuous 2C, peak 3C (assumed); " + MAPNOTE + "30 min"],
    sources={
        "capacity_Ah": "assumption (see assumptions)",
        "nominal_voltage_V": "mean of the modelled OCV (Mn plateau 4.1 V and Fe plateau 3.45 V vs Li, Padhi et al. 1997, J. Electrochem. Soc. 144 1188, less the graphite OCP) = 3.63 V [D]",
        "v_min_V": "2.5 V (as LFP)", "v_max_V": "4.25 V: the top of the modelled OCV, above the Mn2+/Mn3+ plateau (Padhi et al. 1997); assumption",
        "mass_kg": "Gotion L600 Astroinno LMFP cell 240 Wh/kg (Gotion, May 2024); high = 220 Wh/kg",
        "volume_L": "Gotion L600 Astroinno LMFP cell 525 Wh/L (Gotion, May 2024)",
        "i_max_discharge_A": "2C (assumption)", "i_max_charge_A": "peak of the charge map at 25 degC",
        "i_peak_discharge_A": "3C 10 s (assumption)", "i_peak_charge_A": "peak of the charge map at 25 degC",
        "specific_heat_J_per_kgK": SRC_CP,
        "ocv": "LFP OCP of the About:Energy LFP 18650 BPX (2022) for both redox couples, the Mn couple 0.62 V higher (Padhi et al. 1997: 4.1 vs 3.45 V vs Li), 60 % Mn; graphite OCP of the same BPX",
        "resistance": RES_SRC,
        "charge_map": "assumption as lfp-prismatic; " + MAPNOTE + "30 min"}))

# ---- solid-state-2030: QuantumScape QSE-5 class, Li-metal anode
e = 21.6
cap = round(e/3.85, 3)
write("solid-state-2030", dict(
    description="Projected 2028-2030 solid-state cell: NMC811 / lithium-metal anode, ceramic separator (QuantumScape QSE-5 class), pouch",
    chemistry="nmc811-lithium-metal", format="pouch",
    **common(cap, 3.85, 3.0, 4.2, li_metal, "", 15.0, "",
             mass_kg={"value": round(e/301, 5), "low": round(e/440, 5), "high": round(e/301, 5)},
             volume_L={"value": round(e/844, 5), "low": round(e/900, 5), "high": round(e/844, 5)},
             i_max_discharge_A=round(2*cap, 2), i_max_charge_A=round(c_peak_for(15.0)*cap, 2),
             i_peak_discharge_A=round(4*cap, 2), i_peak_charge_A=round(c_peak_for(15.0)*cap, 2)),
    assumptions=["projection: B-sample figures (2024) as the value, developers' targets as the optimistic bound",
                 "OCV = NMC811 OCP (Chen 2020) vs lithium metal (0 V) from y 0.98 to 0.264",
                 "resistance scaled from lg-m50 (no published ECM of these cells)",
                 "continuous 2C, peak 4C discharge (assumed); " + MAPNOTE + "15 min (Toyota and QuantumScape claim <= 10-15 min)"],
    sources={
        "capacity_Ah": "QuantumScape QSE-5 B-sample (Oct 2024): 21.6 Wh at C/5 / 3.85 V mean OCV of NMC811 vs Li [D]",
        "nominal_voltage_V": "mean of the NMC811 OCP (Chen 2020) vs Li over the window, about 3.85 V [D]",
        "v_min_V": "3.0 V (assumption for NMC811 vs lithium metal)", "v_max_V": "4.2 V (assumption, as NMC811/graphite)",
        "mass_kg": "QuantumScape QSE-5 B-sample 301 Wh/kg (Oct 2024); low mass = Solid Power Li-metal target 440 Wh/kg (2022)",
        "volume_L": "QuantumScape QSE-5 844 Wh/L (Oct 2024); low = Samsung SDI 900 Wh/L target (2023)",
        "i_max_discharge_A": "2C (assumption)", "i_max_charge_A": "peak of the charge map at 25 degC",
        "i_peak_discharge_A": "4C (assumption)", "i_peak_charge_A": "peak of the charge map at 25 degC",
        "specific_heat_J_per_kgK": SRC_CP,
        "ocv": "Chen et al. 2020 (J. Electrochem. Soc. 167 080534) NMC811 OCP vs lithium metal",
        "resistance": RES_SRC,
        "charge_map": "Toyota (2023): 10-80 % in 10 min or less for its solid-state cells (Jiji/nippon.com); 15 min taken; " + MAPNOTE + "15 min"}))
print("ok")
