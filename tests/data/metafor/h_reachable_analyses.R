# Reference values for the analyses screener meta / screener pool reach beside the pooled model:
# meta-regression (continuous and categorical moderators), leave-one-out, influence(),
# cumulative meta-analysis, Begg's rank correlation test, a 90% confidence level and the
# per-study weights, on three data sets.
# Run: Rscript tests/data/metafor/h_reachable_analyses.R > tests/data/metafor/h_reachable_analyses.json
# (R 4.2.2 and metafor 3.8-1 from Debian bookworm: r-base-core, r-cran-metafor, r-cran-metadat).
suppressMessages(library(metafor))

num <- function(x) {
  x <- as.numeric(x)
  if (length(x) == 0) return("[]")
  s <- ifelse(is.na(x), "null", sprintf("%.15g", x))
  if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]")
}
nums <- function(x) paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.15g", as.numeric(x))),
                                      collapse = ", "), "]")
str1 <- function(x) paste0("\"", gsub("\"", "\\\\\"", x), "\"")
strs <- function(x) paste0("[", paste(vapply(as.character(x), str1, ""), collapse = ", "), "]")
bools <- function(x) paste0("[", paste(ifelse(x, "true", "false"), collapse = ", "), "]")
obj <- function(...) {
  items <- list(...)
  paste0("{", paste(sprintf("\"%s\": %s", names(items), unlist(items)), collapse = ", "), "}")
}
column <- function(x) if (is.numeric(x)) nums(x) else strs(x)
frame <- function(d) do.call(obj, lapply(as.list(d), column))

fit <- function(r) obj(k = num(r$k), level = num(100 * (1 - r$level)),
                       estimate = num(r$beta), se = num(r$se), ci.lb = num(r$ci.lb),
                       ci.ub = num(r$ci.ub), zval = num(r$zval), pval = num(r$pval),
                       tau2 = num(r$tau2), I2 = num(r$I2), QE = num(r$QE),
                       weights = nums(weights(r)))
reg <- function(r) {
  obj(k = num(r$k), names = strs(rownames(r$beta)), estimate = nums(r$beta), se = nums(r$se),
      zval = nums(r$zval), pval = nums(r$pval), ci.lb = nums(r$ci.lb), ci.ub = nums(r$ci.ub),
      QM = num(r$QM), QMdf = nums(r$QMdf), QMp = num(r$QMp), QE = num(r$QE),
      QEdf = num(r$k - r$p), QEp = num(r$QEp), tau2 = num(r$tau2), I2 = num(r$I2),
      R2 = num(if (is.null(r$R2)) NA else r$R2))
}
series <- function(s) obj(study = strs(s$slab), estimate = nums(s$estimate), se = nums(s$se),
                          pval = nums(s$pval), ci.lb = nums(s$ci.lb), ci.ub = nums(s$ci.ub),
                          Q = nums(s$Q), tau2 = nums(s$tau2), I2 = nums(s$I2))
infl <- function(r) {
  i <- influence(r)
  d <- i$inf
  obj(study = strs(i$inf$slab), rstudent = nums(d$rstudent), dffits = nums(d$dffits),
      cook.d = nums(d$cook.d), cov.r = nums(d$cov.r), tau2.del = nums(d$tau2.del),
      QE.del = nums(d$QE.del), hat = nums(d$hat), weight = nums(d$weight),
      dfbs = nums(i$dfbs$intrcpt), inf = bools(i$is.infl))
}
rank <- function(r) { t <- ranktest(r); obj(tau = num(t$tau), pval = num(t$pval)) }

# The block of one data set: its rows (escalc column names, study, moderators), the model,
# the call screener makes, and metafor's results.
block <- function(d, es, measure, method, mods, order, order_name) {
  r <- rma(yi, vi, data = es, method = method, slab = study)
  r90 <- rma(yi, vi, data = es, method = method, slab = study, level = 90)
  regs <- list()
  for (m in names(mods)) regs[[m]] <- reg(rma(yi, vi, mods = mods[[m]], data = es, method = method))
  knha <- reg(rma(yi, vi, mods = mods[[1]], data = es, method = method, test = "knha"))
  obj(measure = str1(measure), method = str1(method), data = frame(d),
      yi = nums(es$yi), vi = nums(es$vi),
      fit = fit(r), fit_level90 = fit(r90),
      meta_regression = do.call(obj, regs), meta_regression_knha = knha,
      meta_regression_knha_mods = str1(names(mods)[1]),
      leave1out = series(leave1out(r)), leave1out_level90 = series(leave1out(r90)),
      influence = infl(r),
      influence_knha = infl(rma(yi, vi, data = es, method = method, slab = study, test = "knha")),
      cumulative = series(cumul(r, order = order)), cumulative_order = str1(order_name),
      cumulative_level90 = series(cumul(r90, order = order)),
      ranktest = rank(r))
}

# 1. dat.bcg (Colditz 1994), log risk ratio, REML; moderators absolute latitude (continuous),
#    allocation (categorical) and both; cumulative by year.
bcg <- dat.bcg
bcg_d <- data.frame(study = paste(bcg$author, bcg$year), ai = bcg$tpos, bi = bcg$tneg,
                    ci = bcg$cpos, di = bcg$cneg, year = bcg$year, ablat = bcg$ablat,
                    alloc = bcg$alloc)
bcg_es <- escalc(measure = "RR", ai = ai, bi = bi, ci = ci, di = di, data = bcg_d)
bcg_block <- block(bcg_d, bcg_es, "RR", "REML",
                   list(ablat = ~ ablat, alloc = ~ alloc, `ablat,alloc` = ~ ablat + alloc),
                   bcg_d$year, "year")

# 2. A pre/post set (hand-made, marked as such: seven single-group studies of a score measured
#    before and after treatment, r = 0.5 assumed), standardised mean change (SMCR: the change
#    after minus before, divided by the SD before), REML; moderators dose (categorical) and
#    weeks (continuous); cumulative by year.
pp <- data.frame(study = c("Ang 2014", "Baptiste 2016", "Chen 2017", "Dupont 2018",
                           "Eriksen 2019", "Fujita 2020", "Garcia 2021"),
                 m1i = c(18.2, 22.5, 15.1, 30.4, 12.8, 25.0, 19.9),
                 m2i = c(24.9, 27.1, 23.8, 33.0, 20.2, 31.7, 22.4),
                 sd1i = c(7.1, 8.3, 6.0, 9.8, 5.5, 7.7, 6.9),
                 sd2i = c(6.5, 8.0, 6.2, 9.1, 5.9, 7.0, 6.4),
                 ni = c(12, 25, 9, 40, 15, 30, 22), ri = 0.5,
                 year = c(2014, 2016, 2017, 2018, 2019, 2020, 2021),
                 weeks = c(12, 24, 12, 52, 8, 24, 16),
                 dose = c("low", "high", "low", "high", "low", "high", "high"))
pp_es <- escalc(measure = "SMCR", m1i = m1i, m2i = m2i, sd1i = sd1i, ni = ni, ri = ri, data = pp)
pp_block <- block(pp, pp_es, "SMCR", "REML", list(dose = ~ dose, weeks = ~ weeks),
                  pp$year, "year")

# 3. dat.egger2001 (magnesium after myocardial infarction), log odds ratio (one zero cell:
#    escalc adds 1/2 to that table), DL; moderator year; cumulative by precision (the sampling
#    variance, smallest first).
eg <- dat.egger2001
eg_d <- data.frame(study = paste(eg$study, eg$year), ai = eg$ai, n1i = eg$n1i, ci = eg$ci, n2i = eg$n2i,
                   year = eg$year)
eg_es <- escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = eg_d)
eg_block <- block(eg_d, eg_es, "OR", "DL", list(year = ~ year), eg_es$vi, "precision")

cat(obj(
  provenance = str1(paste0("R ", R.version$major, ".", R.version$minor, ", metafor ",
                           packageVersion("metafor"), "; tests/data/metafor/h_reachable_analyses.R")),
  bcg_RR_REML = bcg_block, prepost_SMCR_REML = pp_block, egger2001_OR_DL = eg_block
), "\n")
