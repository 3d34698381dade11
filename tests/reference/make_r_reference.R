# Further reference outputs of R's survey package for cipslib's tests.
# Run from this folder:  Rscript make_r_reference.R   (writes r_survey_extra.json)
suppressMessages({library(survey); library(jsonlite)})
strat <- read.csv("api/apistrat.csv"); clus <- read.csv("api/apiclus1.csv")
names(strat) <- gsub("\\.", "_", names(strat)); names(clus) <- gsub("\\.", "_", names(clus))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch_wide = c("No", "Yes"), Freq = c(1072, 5122))
rk <- rake(dclus1, list(~stype, ~sch_wide), list(pop.types, pop.schwide), control = list(epsilon = 1e-10, maxit = 100))
out <- list()
add <- function(id, call, est, se = NULL, extra = list()) {
  out[[length(out) + 1]] <<- c(list(id = id, call = call, est = unname(est)), if (!is.null(se)) list(se = unname(se)), extra)
}
b <- svyby(~api00, ~stype, dclus1, svymean, covmat = TRUE)
add("clus1_by_stype_mean_api00", "svyby(~api00, ~stype, dclus1, svymean)", coef(b), SE(b), list(levels = names(coef(b))))
ct <- svycontrast(b, c(E = 1, H = -1, M = 0))
add("clus1_by_stype_diff_E_H", "svycontrast(svyby(..., covmat=TRUE), E - H)", as.numeric(coef(ct)), as.numeric(SE(ct)))
br <- svyby(~api00, ~comp_imp, rk, svymean)
add("rake_clus1_by_compimp_mean_api00", "svyby(~api00, ~comp_imp, rake(dclus1, ...), svymean)", coef(br), SE(br), list(levels = names(coef(br))))
p <- svyciprop(~I(sch_wide == "Yes"), dstrat, method = "logit")
add("strat_ciprop_logit_schwide", "svyciprop(~I(sch.wide=='Yes'), dstrat, method='logit')", as.numeric(coef(p)), as.numeric(SE(p)),
    list(lci = unname(attr(p, "ci")[1]), uci = unname(attr(p, "ci")[2])))
pc <- svyciprop(~I(sch_wide == "Yes"), rk, method = "logit")
add("rake_clus1_ciprop_logit_schwide", "svyciprop(~I(sch.wide=='Yes'), rake(dclus1,...), method='logit')",
    as.numeric(coef(pc)), as.numeric(SE(pc)), list(lci = unname(attr(pc, "ci")[1]), uci = unname(attr(pc, "ci")[2])))
m <- svymean(~api00, dstrat, deff = TRUE)
add("strat_mean_api00_deff", "svymean(~api00, dstrat, deff=TRUE)", coef(m), SE(m), list(deff = unname(deff(m))))
m <- svymean(~api00, dclus1, deff = TRUE)
add("clus1_mean_api00_deff", "svymean(~api00, dclus1, deff=TRUE)", coef(m), SE(m), list(deff = unname(deff(m))))
pt <- svymean(~stype, dclus1)
add("clus1_mean_stype", "svymean(~stype, dclus1)", coef(pt), SE(pt), list(levels = c("E", "H", "M")))
na <- strat; na$api00[seq(1, 200, by = 7)] <- NA
dna <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = na)
m <- svymean(~api00, dna, na.rm = TRUE)
add("strat_mean_api00_na", "svymean(~api00, dstrat with api00 NA on rows 1, 8, 15, ..., na.rm=TRUE)", coef(m), SE(m))
cells <- data.frame(stype = rep(c("E", "H", "M"), each = 2), sch_wide = rep(c("No", "Yes"), 3),
                    Freq = c(620, 3801, 221, 534, 231, 787))
pc2 <- postStratify(dclus1, ~stype + sch_wide, cells)
m <- svymean(~api00, pc2)
add("ps_cells_clus1_mean_api00", "postStratify(dclus1, ~stype+sch.wide, cells); svymean(~api00)", coef(m), SE(m),
    list(cells = cells))
# CIPS: 2025 demo officials raked to the illustrative staff margins
cips <- read.csv("cips2025_officials.csv")
cips$fav <- ifelse(is.na(cips$lead_01), NA, as.numeric(cips$lead_01 %in% c(4, 5)))
dc <- svydesign(id = ~1, weights = ~1, data = cips)
margins <- list(data.frame(region = c("central_office", "west", "north", "centre", "south", "east"),
                           Freq = c(668, 2611, 1694, 1473, 1752, 1714)),
                data.frame(role = c("manager", "non_manager"), Freq = c(2031, 7881)),
                data.frame(tenure = c("lt5", "5to10", "gt10"), Freq = c(2874, 2279, 4759)))
rc <- rake(dc, list(~region, ~role, ~tenure), margins, control = list(epsilon = 1e-10, maxit = 100))
m <- svymean(~fav, rc, na.rm = TRUE)
add("cips2025_officials_rake_fav_lead01", "rake(officials, region+role+tenure); svymean(~fav, na.rm=TRUE)", coef(m), SE(m))
m <- svymean(~hrm_02, rc, na.rm = TRUE)
add("cips2025_officials_rake_mean_hrm02", "... svymean(~hrm_02, na.rm=TRUE)", coef(m), SE(m))
bt <- svyby(~fav, ~tenure, rc, svymean, na.rm = TRUE)
add("cips2025_officials_rake_fav_by_tenure", "... svyby(~fav, ~tenure, svymean, na.rm=TRUE)", coef(bt), SE(bt),
    list(levels = names(coef(bt))))
writeLines(toJSON(list(about = paste("Outputs of R's survey package,", R.version.string, "survey",
                                     as.character(packageVersion("survey"))), checks = out),
                  auto_unbox = TRUE, digits = I(12), pretty = TRUE), "r_survey_extra.json")
