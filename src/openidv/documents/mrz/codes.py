"""Issuing-state and nationality codes an MRZ may carry (ICAO 9303-3, section 5).

Used to rank readings, not to judge documents: a line read one cell out of place puts letters of
the name or filler into the code fields, which then name no state, while the check digits of the
other line may still hold. The list is ISO 3166-1 alpha-3 (249 codes, as published in the
iso-codes database, 2026) and the codes ICAO 9303-3 adds for Germany (D), British nationals,
United Nations and other organisations, refugees and stateless persons (XXA, XXB, XXC, XXX), the
EU (EUE), Kosovo (RKS), and UTO, the ICAO specimens' Utopia; and a few codes of states that no
longer exist. A valid MRZ whose code is not listed is reported unreadable rather than trusted
(`reader.read_gray` says why in its detail); extend the list when a real document needs it.
"""

from __future__ import annotations

_ISO_3166_ALPHA3 = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR
    BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG
    COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH
    FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY
    HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM
    KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL
    MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR
    NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU
    SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA
    TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
    VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""
_ICAO_EXTRA = """
    D GBD GBN GBO GBP GBS UNO UNA UNK XBA XIM XCC XCE XCO XEC XPO XES XMP XOM XDC XXA XXB XXC XXX
    EUE RKS UTO
"""
# Codes of states or zones that no longer exist, still on documents issued before the change.
_HISTORIC = "ANT NTZ YUG SCG CSK SUN DDR ZAR TMP BUR ROM ZIM"

ISO_3166_ALPHA3 = frozenset(_ISO_3166_ALPHA3.split())
ICAO_EXTRA = frozenset(_ICAO_EXTRA.split())

HISTORIC = frozenset(_HISTORIC.split())

STATE_CODES = ISO_3166_ALPHA3 | ICAO_EXTRA | HISTORIC


def known_state(code: str | None) -> bool:
    """Is `code` (filler removed, as parsed) a state or organisation code ICAO 9303 allows?"""
    return code is not None and code.upper().replace("<", "").strip() in STATE_CODES
