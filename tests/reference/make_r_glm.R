# Reference outputs of R's svyglm (survey package) for cipslib's design-based GLMs.
# Run from this folder:  Rscript make_r_glm.R   (writes r_svyglm.json)
# Column names have their dots turned into underscores; the 0/1 outcomes are made here (and the same
# way in the tests) instead of I() in the formula.
# glm's IRLS is run to a deviance change of 1e-14 (glm.control) so that the reference is the converged
# fit: with R's default epsilon = 1e-8 the logistic fits stop one iteration early and, since
# svy.varcoef uses the working weights of the last iteration, their standard errors differ from the
# converged ones by up to 1e-4 (relative). Those default-control numbers are kept too
# (estimate_default_control, se_default_control).
suppressMessages({library(survey); library(jsonlite)})
read_api <- function(name) {
  d <- read.csv(file.path("api", paste0(name, ".csv")))
  names(d) <- gsub("\\.", "_", names(d))
  d$sch_wide01 <- as.numeric(d$sch_wide == "Yes")
  d$comp_imp01 <- as.numeric(d$comp_imp == "Yes")
  d
}
srs <- read_api("apisrs"); strat <- read_api("apistrat"); clus <- read_api("apiclus1")
dsrs <- svydesign(id = ~1, fpc = ~fpc, data = srs)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch_wide = c("No", "Yes"), Freq = c(1072, 5122))
srs_rake <- rake(dsrs, list(~stype, ~sch_wide), list(pop.types, pop.schwide),
                 control = list(epsilon = 1e-10, maxit = 100))
clus1_ps <- postStratify(dclus1, ~stype, pop.types)
greg_totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
clus1_greg <- calibrate(dclus1, ~stype + api99, greg_totals)
designs <- list(srs_rake = srs_rake, strat = dstrat, clus1 = dclus1, clus1_ps = clus1_ps,
                clus1_greg = clus1_greg)
describe <- list(
  srs_rake = "rake(svydesign(id=~1, fpc=~fpc, data=apisrs), list(~stype, ~sch_wide), ...)",
  strat = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)",
  clus1 = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)",
  clus1_ps = "postStratify(dclus1, ~stype, pop.types)",
  clus1_greg = "calibrate(dclus1, ~stype + api99, c(6194, 755, 1018, 3914069))")
out <- list()
fit <- function(id, design, formula, family, domain = NULL) {
  d <- designs[[design]]
  if (!is.null(domain)) d <- eval(parse(text = sprintf("subset(d, %s)", domain)))
  fam <- if (family == "binomial") quasibinomial() else gaussian()
  m <- svyglm(as.formula(formula), design = d, family = fam,
              control = glm.control(epsilon = 1e-14, maxit = 100))
  m0 <- svyglm(as.formula(formula), design = d, family = fam)
  s <- summary(m)$coefficients
  ci <- confint(m)
  out[[length(out) + 1]] <<- list(
    id = id, design = design, design_call = describe[[design]], formula = formula, family = family,
    domain = domain, terms = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
    t = unname(s[, 3]), p = unname(s[, 4]), df_residual = m$df.residual,
    n = length(m$y) - sum(m$prior.weights == 0),
    ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]),
    estimate_default_control = unname(coef(m0)), se_default_control = unname(SE(m0)))
}
for (design in names(designs)) {
  fit(paste0(design, "_gaussian"), design, "api00 ~ ell + meals + stype", "gaussian")
  fit(paste0(design, "_binomial"), design,
      if (design == "srs_rake") "comp_imp01 ~ ell + meals + stype" else "sch_wide01 ~ ell + stype",
      "binomial")
}
fit("strat_gaussian_interaction", "strat", "api00 ~ ell * stype + meals", "gaussian")
fit("srs_rake_binomial_schwide", "srs_rake", "sch_wide01 ~ ell + meals", "binomial")
fit("strat_domain_gaussian", "strat", "api00 ~ ell + meals + stype", "gaussian", "comp_imp == 'Yes'")
fit("clus1_domain_binomial", "clus1", "sch_wide01 ~ ell + meals", "binomial", "stype == 'E'")
fit("clus1_ps_domain_gaussian", "clus1_ps", "api00 ~ ell + meals", "gaussian", "awards == 'Yes'")
fit("clus1_missing_gaussian", "clus1", "api00 ~ ell + avg_ed + stype", "gaussian")
fit("clus1_greg_missing_binomial", "clus1_greg", "sch_wide01 ~ avg_ed + meals", "binomial")
fit("srs_rake_domain_missing_gaussian", "srs_rake", "api00 ~ avg_ed + ell", "gaussian", "stype != 'H'")
writeLines(toJSON(list(about = paste("Outputs of R's survey package svyglm,", R.version.string, "survey",
                                     as.character(packageVersion("survey"))),
                       fits = out),
                  auto_unbox = TRUE, digits = I(15), pretty = TRUE, null = "null"), "r_svyglm.json")
