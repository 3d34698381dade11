# Reference outputs of R's survey package for the unit (domain) figures of cipslib.analysis.units.
# Run from this folder:  Rscript make_r_units.R   (writes r_units.json)
#
# units_synthetic.csv is a small synthetic design that mirrors a CIPS group: 600 respondents in five
# units (u1..u5) with a role and a tenure band, a 0-100 score and a 0/1 indicator, both with missing
# values. It is written by write_reference_csv() in tests/analysis/test_units.py.
# Two designs, both raked to population counts from equal starting weights (as cipslib's weighting):
#   rake_unit_role   : margins unit and role (the unit is itself a raking margin, as region is for
#                      officials);
#   rake_role_tenure : margins role and tenure (the unit is not a margin).
# For each design, score and indicator:
#   units : svyby(~y, ~unit, design, svymean, na.rm = TRUE): unit means and SEs (domain estimates on
#           the whole raked design);
#   ci    : the indicator's logit intervals per unit, svyby(..., svyciprop, method = "logit",
#           df = degf(design)) (the design's df, as cipslib's domains);
#   rest  : for each unit u, the unit minus the rest (respondents of the other units), two routes:
#           svytotal(~num_u + den_u + num_r + den_r) then svycontrast(num_u/den_u - num_r/den_r),
#           the delta method on the joint covariance of the four totals with the calibration undone
#           by svyrecvar (stored as est and se); and svyglm(y ~ I(unit == u)), gaussian (stored as
#           glm_est and glm_se). Both are the joint linearisation; their largest disagreement is
#           stored in svyglm_vs_svycontrast.
# svyby(..., covmat = TRUE) then svycontrast would be a third route, but survey 4.1.1 stops with
# "number of items to replace is not a multiple of replacement length" on calibrated designs (their
# subsets keep every row, so the influence functions do not fit the domain index).
suppressMessages({library(survey); library(jsonlite)})
d <- read.csv("units_synthetic.csv", stringsAsFactors = FALSE)
pop <- list(
  unit = data.frame(unit = paste0("u", 1:5), Freq = c(3000, 2400, 1800, 1000, 800)),
  role = data.frame(role = c("manager", "non_manager"), Freq = c(1800, 7200)),
  tenure = data.frame(tenure = c("lt5", "5to10", "gt10"), Freq = c(2500, 2000, 4500)))
ctl <- list(epsilon = 1e-12, maxit = 200)
base <- svydesign(id = ~1, weights = ~1, data = d)
designs <- list(
  rake_unit_role = rake(base, list(~unit, ~role), pop[c("unit", "role")], control = ctl),
  rake_role_tenure = rake(base, list(~role, ~tenure), pop[c("role", "tenure")], control = ctl))
units <- paste0("u", 1:5)
# summary.glm (behind SE(svyglm) and svyciprop's interval) warns that rows with zero weight, the
# missing values, do not enter the dispersion, which these SEs do not use
quiet <- function(x) withCallingHandlers(x, warning = function(w) {
  if (grepl("zero weight", conditionMessage(w))) invokeRestart("muffleWarning")
})
out <- list()
for (name in names(designs)) {
  des <- designs[[name]]
  for (y in c("score", "ind")) {
    valid <- !is.na(d[[y]])
    b <- svyby(as.formula(paste0("~", y)), ~unit, des, svymean, na.rm = TRUE)
    item <- list(id = paste(name, y, sep = "_"), design = name, variable = y, df = degf(des),
                 levels = as.character(b$unit), est = unname(coef(b)), se = unname(SE(b)),
                 n = as.integer(table(factor(d$unit[valid], levels = b$unit))))
    if (y == "ind") {
      ci <- quiet(svyby(~ind, ~unit, des, svyciprop, method = "logit", vartype = "ci",
                        na.rm = TRUE, df = degf(des)))
      item$ci_low <- unname(ci$ci_l); item$ci_high <- unname(ci$ci_u)
    }
    item$rest <- lapply(units, function(u) {
      # numerator and denominator totals of both domains (a missing value is out of both)
      mine <- valid & d$unit == u
      rest <- valid & d$unit != u
      du <- update(des, this = (d$unit == u),
                   num_u = ifelse(mine, d[[y]], 0), den_u = as.numeric(mine),
                   num_r = ifelse(rest, d[[y]], 0), den_r = as.numeric(rest))
      tot <- svytotal(~num_u + den_u + num_r + den_r, du)
      ct <- svycontrast(tot, quote(num_u / den_u - num_r / den_r))
      g <- svyglm(as.formula(paste(y, "~ this")), du)
      list(unit = u, est_unit = unname(coef(tot)["num_u"] / coef(tot)["den_u"]),
           est_rest = unname(coef(tot)["num_r"] / coef(tot)["den_r"]),
           est = as.numeric(coef(ct)), se = as.numeric(SE(ct)),
           glm_est = unname(coef(g)["thisTRUE"]), glm_se = unname(quiet(SE(g))["thisTRUE"]))
    })
    out[[length(out) + 1]] <- item
  }
}
gap <- max(sapply(out, function(i) max(abs(sapply(i$rest, function(r) r$est - r$glm_est)))))
gap_se <- max(sapply(out, function(i) max(abs(sapply(i$rest, function(r) r$se / r$glm_se - 1)))))
writeLines(toJSON(list(
  about = paste("Outputs of R's survey package,", R.version.string, "survey",
                as.character(packageVersion("survey")), "on units_synthetic.csv"),
  populations = lapply(pop, function(p) setNames(as.list(p$Freq), p[[1]])),
  svyglm_vs_svycontrast = list(max_abs_difference = gap, max_relative_se_difference = gap_se),
  checks = out), auto_unbox = TRUE, digits = I(15), pretty = TRUE), "r_units.json")
