# Reference outputs of R's survey package for the standard errors of Johnson's relative weights
# (cipslib.analysis.drivers.relative_weights_with_errors). Run from this folder:
#   Rscript make_r_drivers.R   (writes r_drivers.json)
#
# drivers_synthetic.csv: 600 respondents of two groups (A, B) with a role and a tenure band, three
# correlated predictors x1..x3 and an outcome y (5% missing). It is written by write_drivers_csv()
# in tests/analysis/test_drivers.py. The design is raked to population counts of role and tenure
# from equal starting weights (as cipslib's weighting).
# For the whole sample and for group A, complete cases (the domain D):
#   svytotal of 1_D, of 1_D * z_j and of 1_D * z_j * z_k (z = x1, x2, x3, y): 15 totals and their
#   covariance matrix, the raking undone (svyrecvar); the weighted covariance matrix is
#   S_jk / N - m_j m_k with N the first total, m_j = T_j / N and S_jk = T_jk / N; the relative
#   weights come from its correlations (eigen square root, as Johnson 2000), and their SEs and those
#   of their shares of R² (%) by the delta method: J V J' with J the Jacobian of the weights in the
#   15 totals (central differences). (svyvar on a subset of a raked design gives NA and Inf: such a
#   subset keeps every row.)
suppressMessages({library(survey); library(jsonlite)})
d <- read.csv("drivers_synthetic.csv", stringsAsFactors = FALSE)
pop <- list(
  role = data.frame(role = c("manager", "non_manager"), Freq = c(3000, 6000)),
  tenure = data.frame(tenure = c("lt5", "5to10", "gt10"), Freq = c(2500, 2500, 4000)))
ctl <- list(epsilon = 1e-12, maxit = 200)
des <- rake(svydesign(id = ~1, weights = ~1, data = d), list(~role, ~tenure), pop, control = ctl)
z <- c("x1", "x2", "x3", "y")
pairs <- which(upper.tri(diag(4), diag = TRUE), arr.ind = TRUE)

weights_and_shares <- function(cov) {
  r <- cov2cor(cov)
  e <- eigen(r[1:3, 1:3], symmetric = TRUE)
  root <- e$vectors %*% diag(sqrt(pmax(e$values, 0))) %*% t(e$vectors)
  raw <- as.vector((root^2) %*% solve(root, r[1:3, 4])^2)
  c(raw, 100 * raw / sum(raw))
}
from_totals <- function(totals) {
  n <- totals[1]
  m <- totals[2:5] / n
  s <- matrix(0, 4, 4)
  s[pairs] <- totals[6:15] / n
  s[pairs[, 2:1]] <- totals[6:15] / n
  weights_and_shares(s - outer(m, m))
}

domains <- list()
for (name in c("all", "A")) {
  keep <- complete.cases(d[, z]) & (name == "all" | d$group == name)
  vars <- list(one = as.numeric(keep))
  for (j in 1:4) vars[[paste0("t", j)]] <- ifelse(keep, d[[z[j]]], 0)
  for (p in seq_len(nrow(pairs))) {
    j <- pairs[p, 1]; k <- pairs[p, 2]
    vars[[paste0("t", j, k)]] <- ifelse(keep, d[[z[j]]] * d[[z[k]]], 0)
  }
  dd <- do.call(update, c(list(des), vars))
  tot <- svytotal(as.formula(paste("~", paste(names(vars), collapse = " + "))), dd)
  totals <- unname(coef(tot))
  V <- unname(vcov(tot))
  J <- sapply(seq_along(totals), function(k) {
    h <- 1e-6 * abs(totals[k])
    up <- totals; up[k] <- up[k] + h; down <- totals; down[k] <- down[k] - h
    (from_totals(up) - from_totals(down)) / (2 * h)
  })
  se <- sqrt(diag(J %*% V %*% t(J)))
  est <- from_totals(totals)
  domains[[name]] <- list(n = sum(keep), raw_weight = est[1:3], importance = est[4:6],
                          raw_weight_se = se[1:3], importance_se = se[4:6])
}
out <- list(
  survey_version = as.character(packageVersion("survey")), r_version = R.version.string,
  populations = list(role = setNames(as.list(pop$role$Freq), pop$role$role),
                     tenure = setNames(as.list(pop$tenure$Freq), pop$tenure$tenure)),
  domains = domains)
write_json(out, "r_drivers.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
