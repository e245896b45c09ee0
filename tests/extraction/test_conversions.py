"""Each conversion against a worked example from its source (cited with the source's numbers)."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.extraction import conversions as conv

# Rounding of the sources' printed numbers: they print 2-4 significant digits.
PRINTED_2DP = 0.005


def test_se_to_sd_handbook_crossover_example() -> None:
    # Cochrane Handbook 5.1, section 16.4.6.4: a typical SD of differences of 2 with n = 10
    # gives "the standard error of MD as 2 / sqrt(10) = 0.632". Back from the printed SE:
    result = conv.sd_from_se(0.632, 10)
    assert result.values["sd"] == pytest.approx(2.0, abs=PRINTED_2DP)
    assert result.method == "se_to_sd" and result.details == {"se": 0.632, "n": 10}


def test_ci_to_sd_uses_t_for_small_samples_handbook_example() -> None:
    # Handbook 6.5.2.2 (5.1: 7.7.3.2): for a sample of 25 the t value is 2.0639, so "the divisor,
    # 3.92, ... would be replaced by 2 x 2.0639 = 4.128".
    result = conv.sd_from_ci(10.0, 14.128, 25)
    assert result.details["distribution"] == "t"
    assert result.details["divisor"] == pytest.approx(4.128, abs=0.0005)
    assert result.values["sd"] == pytest.approx(5.0, rel=1e-4)  # sqrt(25) * 4.128 / 4.128
    # Large samples: 3.92 (= 2 x 1.96).
    large = conv.sd_from_ci(10.0, 13.92, 400)
    assert large.details["distribution"] == "normal"
    assert large.values["sd"] == pytest.approx(20.0, rel=1e-3)


def test_p_to_sd_handbook_example() -> None:
    # Handbook 6.5.2.3 (5.1: 7.7.3.3): MD 3.8, P = 0.008, groups of 25 and 22: t with 45 df is
    # 2.78, and "the standard error of the difference in means is obtained by dividing 3.8 by
    # 2.78, which gives 1.37"; SD = SE / sqrt(1/25 + 1/22).
    result = conv.sd_from_p_difference(3.8, 0.008, 25, 22)
    assert result.details["t"] == pytest.approx(2.78, abs=PRINTED_2DP)
    assert result.values["se"] == pytest.approx(1.37, abs=PRINTED_2DP)
    # The printed SE is rounded to 0.01, so the SD is known to 0.005 / 0.2923 = 0.017.
    assert result.values["sd"] == pytest.approx(1.37 / math.sqrt(1 / 25 + 1 / 22), abs=0.02)


def test_ci_of_a_difference_to_sd() -> None:
    # The same Handbook example through its CI: MD 3.8 with SE 1.3691 (t, 45 df) has the
    # 95% CI 3.8 +/- 2.0141 x 1.3691; the conversion must give back the SD of the P route.
    via_p = conv.sd_from_p_difference(3.8, 0.008, 25, 22)
    half = 2.014103 * via_p.values["se"]
    via_ci = conv.sd_from_ci_difference(3.8 - half, 3.8 + half, 25, 22)
    assert via_ci.values["sd"] == pytest.approx(via_p.values["sd"], rel=1e-5)


# Wan et al. 2014, Table 1: xi(n) for n <= 50 (every value the table prints).
WAN_TABLE_1 = {
    1: 0,
    2: 1.128,
    3: 1.693,
    4: 2.059,
    5: 2.326,
    6: 2.534,
    7: 2.704,
    8: 2.847,
    9: 2.970,
    10: 3.078,
    11: 3.173,
    12: 3.259,
    13: 3.336,
    14: 3.407,
    15: 3.472,
    16: 3.532,
    17: 3.588,
    18: 3.640,
    19: 3.689,
    20: 3.735,
    21: 3.778,
    22: 3.819,
    23: 3.858,
    24: 3.895,
    25: 3.931,
    26: 3.964,
    27: 3.997,
    28: 4.027,
    29: 4.057,
    30: 4.086,
    31: 4.113,
    32: 4.139,
    33: 4.165,
    34: 4.189,
    35: 4.213,
    36: 4.236,
    37: 4.259,
    38: 4.280,
    39: 4.301,
    40: 4.322,
    41: 4.341,
    42: 4.361,
    43: 4.379,
    44: 4.398,
    45: 4.415,
    46: 4.433,
    47: 4.450,
    48: 4.466,
    49: 4.482,
    50: 4.498,
}


@pytest.mark.parametrize("n", sorted(WAN_TABLE_1))
def test_xi_matches_wan_2014_table_1(n: int) -> None:
    # Printed to 3 decimals; n = 12 is printed 3.259 where the exact expected range is 3.2585
    # (control-chart d2 tables print 3.258), so one unit in the last place is allowed.
    assert conv.xi(n) == pytest.approx(WAN_TABLE_1[n], abs=0.001)


def test_median_range_to_sd_uses_wan_xi() -> None:
    # Wan 2014 formula (7): S = (b - a) / xi(n); with n = 50 and a range of 0 to 44.98 that is
    # 44.98 / 4.498 = 10 (Table 1). The mean follows Luo 2018 (S1) and is the median for data
    # symmetric about it.
    result = conv.mean_sd_from_median(50, 22.49, minimum=0, maximum=44.98)
    assert result.values["sd"] == pytest.approx(10.0, abs=0.002)
    assert result.values["mean"] == pytest.approx(22.49)
    assert result.details["scenario"] == "S1" and result.details["sd_method"] == "Wan 2014"


def test_luo_2018_mean_weights() -> None:
    # Luo 2018, scenario S1: mean = 4/(4 + n^0.75) x (a + b)/2 + n^0.75/(4 + n^0.75) x m. With
    # n = 16, n^0.75 = 8: one third on the mid-range, two thirds on the median.
    s1 = conv.mean_sd_from_median(16, 10, minimum=0, maximum=50)
    assert s1.values["mean"] == pytest.approx(25 / 3 + 20 / 3)
    # Scenario S3: mean = (0.7 + 0.39/n) x (q1 + q3)/2 + (0.3 - 0.39/n) x m; n = 39 gives 0.71/0.29.
    s3 = conv.mean_sd_from_median(39, 10, q1=6, q3=16)
    assert s3.values["mean"] == pytest.approx(0.71 * 11 + 0.29 * 10)
    # Scenario S2 weights: 2.2/(2.2 + n^0.75) on the mid-range, 0.7 - 0.72/n^0.55 on the
    # mid-quartile range, the rest on the median; n = 16 (n^0.55 = 4.5948).
    s2 = conv.mean_sd_from_median(16, 10, q1=8, q3=14, minimum=2, maximum=30)
    w1, w2 = 2.2 / 10.2, 0.7 - 0.72 / 16**0.55
    assert s2.values["mean"] == pytest.approx(w1 * 16 + w2 * 11 + (1 - w1 - w2) * 10)


def test_iqr_to_sd_tends_to_iqr_over_1_35() -> None:
    # Handbook 6.5.2.5: for large samples from a normal distribution, SD ~ IQR / 1.35; Wan's
    # eta(n) = 2 Phi^-1((0.75n - 0.125)/(n + 0.25)) tends to 2 x 0.6745 = 1.349.
    result = conv.mean_sd_from_median(100_000, 50, q1=43.25, q3=56.75)
    assert result.values["sd"] == pytest.approx(13.5 / 1.349, rel=1e-3)
    assert result.values["mean"] == pytest.approx(50)


def test_median_conversion_refuses_inconsistent_inputs() -> None:
    with pytest.raises(conv.ConversionError, match="median must lie between q1 and q3"):
        conv.mean_sd_from_median(20, 30, q1=10, q3=20)
    with pytest.raises(conv.ConversionError, match="give the range"):
        conv.mean_sd_from_median(20, 30)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 100), min_size=2, max_size=30),
    st.lists(st.integers(0, 100), min_size=2, max_size=30),
)
def test_combining_groups_equals_pooling_the_raw_data(a: list[int], b: list[int]) -> None:
    # Handbook Table 6.5.a's formula must give exactly the mean and SD of the two groups' data
    # taken together (the slow, obvious computation).
    result = conv.combine_groups(
        len(a),
        statistics.fmean(a),
        statistics.stdev(a),
        len(b),
        statistics.fmean(b),
        statistics.stdev(b),
    )
    assert result.values["n"] == len(a) + len(b)
    assert result.values["mean"] == pytest.approx(statistics.fmean(a + b), abs=1e-9)
    assert result.values["sd"] == pytest.approx(statistics.stdev(a + b), abs=1e-7)


def test_correlation_from_three_sds_handbook_example() -> None:
    # Handbook 6.5.2.8, Table 6.5.b: experimental group baseline SD 6.4, final 7.1, change 4.5
    # gives Corr = 0.78; control group 7.0, 6.9, 4.2 gives 0.82.
    assert conv.correlation_from_sds(6.4, 7.1, 4.5) == pytest.approx(0.78, abs=PRINTED_2DP)
    assert conv.correlation_from_sds(7.0, 6.9, 4.2) == pytest.approx(0.82, abs=PRINTED_2DP)


def test_change_sd_handbook_examples() -> None:
    # Handbook 6.5.2.8: with Corr 0.78 the change SD of the experimental group is back at 4.5.
    assert conv.change_sd(6.4, 7.1, 0.78).values["sd_change"] == pytest.approx(4.5, abs=0.05)
    # Handbook 5.1, 16.4.6.4 (cross-over, n = 10, SDs 2.38 and 2.21, Corr 0.68 imputed): the
    # SD of the differences over sqrt(10) gives "the standard error of MD ... 0.583".
    result = conv.change_sd(2.38, 2.21, 0.68, imputed=True, source="other trials")
    assert result.values["sd_change"] / math.sqrt(10) == pytest.approx(0.583, abs=0.0005)
    assert result.imputed and result.details["r_source"] == "other trials"


def test_imputed_correlation_is_flagged_and_sourced() -> None:
    from_sds = conv.impute_correlation(
        0.0, source="Smith 2019", sd_pre=6.4, sd_post=7.1, sd_change=4.5
    )
    assert from_sds.imputed and from_sds.method == "imputed_r"
    assert from_sds.values["r"] == pytest.approx(0.7826, abs=1e-4)
    assert from_sds.details["source"] == "Smith 2019"
    with pytest.raises(conv.ConversionError, match="where the correlation comes from"):
        conv.impute_correlation(0.5, source=" ")


def test_convert_from_typed_inputs() -> None:
    result = conv.convert("se", {"se": "0.632", "n": "10"})
    assert result.values["sd"] == pytest.approx(1.9986, abs=1e-4)
    with pytest.raises(conv.ConversionError, match="give n"):
        conv.convert("se", {"se": "0.632", "n": ""})
    with pytest.raises(conv.ConversionError, match="n must be a whole number"):
        conv.convert("se", {"se": "0.632", "n": "10.5"})
    with pytest.raises(conv.ConversionError, match="se: '1,5' has a decimal comma"):
        conv.convert("se", {"se": "1,5", "n": "10"})
    assert conv.convert("r_impute", {"source": "Lee 2020", "r": "0.6"}).values["r"] == 0.6
