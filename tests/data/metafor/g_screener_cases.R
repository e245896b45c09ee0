# Reference values for screener's own edge cases, computed with metafor.
# Run: Rscript tests/data/metafor/g_screener_cases.R > tests/data/metafor/g_screener_cases.json
# (R 4.2.2 and metafor 3.8-1 from Debian bookworm: r-base-core, r-cran-metafor).
suppressMessages(library(metafor))

num <- function(x) {
  if (length(x) == 0) return("[]")
  s <- ifelse(is.na(x), "null", sprintf("%.15g", x))
  if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]")
}
str1 <- function(x) paste0("\"", gsub("\"", "\\\\\"", x), "\"")
obj <- function(...) {
  items <- list(...)
  paste0("{", paste(sprintf("\"%s\": %s", names(items), unlist(items)), collapse = ", "), "}")
}
strs <- function(x) paste0("[", paste(vapply(x, str1, ""), collapse = ", "), "]")
fit <- function(r) {
  out <- list(k = num(r$k), estimate = num(as.numeric(r$beta)), se = num(r$se),
              ci.lb = num(r$ci.lb), ci.ub = num(r$ci.ub), zval = num(r$zval), pval = num(r$pval),
              tau2 = num(r$tau2), QE = num(r$QE), QEp = num(r$QEp))
  if (!is.element(r$method, c("FE", "EE", "CE", "MH", "PETO"))) {
    ci <- confint(r)$random
    out$tau2.ci.lb <- num(ci["tau^2", "ci.lb"])
    out$tau2.ci.ub <- num(ci["tau^2", "ci.ub"])
  }
  do.call(obj, out)
}

# 1. Paule-Mandel with tau^2 far above 100: mean differences (hand-made, tau about 19.6).
#    metafor searches up to max(100, 10 * mad(yi)^2); with tau2.max = 100 it stops with an error.
pm <- data.frame(study = paste("Trial", 1:10),
                 yi = c(-8.4, 31.2, 12.7, 45.9, 3.1, 22.8, -15.6, 28.4, 17.3, 40.2),
                 vi = c(12.5, 20.1, 8.3, 30.6, 15.2, 9.8, 25.4, 11.7, 18.9, 22.0))
pm_fits <- list()
for (m in c("PM", "PMM", "REML", "ML", "EB", "SJ", "DL", "HE")) {
  pm_fits[[m]] <- fit(rma(yi, vi, data = pm, method = m))
}
pm_too_low <- inherits(try(rma(yi, vi, data = pm, method = "PM", control = list(tau2.max = 100)),
                           silent = TRUE), "try-error")

# 2. Mantel-Haenszel and Peto with a 2x2 table that has a missing count (table d, ai = NA):
#    metafor omits the table ("Tables with NAs omitted from model fitting.") and pools the rest.
mh <- data.frame(study = c("a", "b", "c", "d"), ai = c(4, 6, 3, NA), bi = c(119, 300, 228, 100),
                 ci = c(11, 29, 11, 20), di = c(128, 274, 209, 80))
mh_fits <- list()
for (m in c("OR", "RR", "RD")) {
  mh_fits[[m]] <- fit(suppressWarnings(rma.mh(ai = ai, bi = bi, ci = ci, di = di, data = mh,
                                               measure = m, slab = study)))
}
mh_fits[["PETO"]] <- fit(suppressWarnings(rma.peto(ai = ai, bi = bi, ci = ci, di = di, data = mh,
                                                   slab = study)))

cat(obj(
  provenance = str1(paste0("R ", R.version$major, ".", R.version$minor, ", metafor ",
                           packageVersion("metafor"), "; tests/data/metafor/g_screener_cases.R")),
  pm_large_tau2 = obj(
    inputs = obj(study = strs(pm$study), yi = num(pm$yi), vi = num(pm$vi)),
    mad_yi = num(mad(pm$yi)), tau2_max = num(max(100, 10 * mad(pm$yi)^2)),
    PM_with_tau2_max_100_fails = ifelse(pm_too_low, "true", "false"),
    fits = do.call(obj, pm_fits)),
  mh_missing_count = obj(
    inputs = obj(study = strs(mh$study), ai = num(mh$ai), bi = num(mh$bi), ci = num(mh$ci),
                 di = num(mh$di)),
    fits = do.call(obj, mh_fits))
), "\n")
