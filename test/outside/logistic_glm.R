# Expected values for test/t/logistic.sql, from R's glm(family = binomial)
# and, for the L2-penalised fit, R's optim() on the penalised likelihood as
# docs/churn_signals.md defines it.  Run from the repository root:
#   Rscript test/outside/logistic_glm.R
# It writes the data sets it fits (so that the SQL test reads exactly the
# same numbers) and test/outside/logistic_expected.csv.  The test suite
# only reads these files: it does not need R.
#
# Data sets:
#   infert    R's datasets::infert, case ~ age + parity + induced + spontaneous
#   mtcars    R's datasets::mtcars, am ~ hp + wt
#   generated 2,000 rows of 5 features on very different scales (a standard
#             normal, a log-normal, a normal of mean 3e7 and sd 1e6, a
#             Bernoulli and a uniform on [0, 1e-4]) and y drawn from the
#             logistic model; fitted as is and with l2 = 5
options(digits = 17)
dir <- "test/outside"
fmt <- function(x) sprintf("%.17g", x)

expected <- data.frame()
add <- function(dataset, term, quantity, value) {
  expected <<- rbind(expected, data.frame(dataset = dataset, term = term,
                                          quantity = quantity, value = fmt(value)))
}
# Standard errors at the estimate: sqrt(diag((X' W X)^-1)) with W from the
# fitted probabilities.  summary.glm's own come from the weights of the
# iteration before the last (glm.fit updates the coefficients after
# computing them), which differ from these by up to 5e-8 relatively (mtcars);
# the tests compare with these, and summary.glm's are printed alongside.
record_glm <- function(dataset, fit) {
  stopifnot(fit$converged)
  X <- model.matrix(fit)
  p <- fitted(fit)
  # (X' W X)^-1 from the QR decomposition of W^1/2 X, as glm does
  se <- sqrt(diag(chol2inv(qr.R(qr(X * sqrt(p * (1 - p)))))))
  b <- coef(fit)
  z <- b / se
  cat(dataset, ": largest relative difference from summary.glm's standard errors:",
      max(abs(se / summary(fit)$coefficients[, 2] - 1)), "\n")
  for (j in seq_along(b)) {
    add(dataset, j - 1, "coefficient", b[j])
    add(dataset, j - 1, "std_error", se[j])
    add(dataset, j - 1, "z", z[j])
    add(dataset, j - 1, "p_value", 2 * pnorm(-abs(z[j])))
  }
  add(dataset, NA, "log_likelihood", as.numeric(logLik(fit)))
  add(dataset, NA, "null_log_likelihood", -fit$null.deviance / 2)
}
# tight convergence, so that R's values are exact to far better than 1e-6
ctl <- glm.control(epsilon = 1e-15, maxit = 100)

# ---- classic data sets, written as they are
write.csv(datasets::infert[, c("case", "age", "parity", "induced", "spontaneous")],
          file.path(dir, "infert.csv"), row.names = FALSE)
infert <- read.csv(file.path(dir, "infert.csv"))
record_glm("infert", glm(case ~ age + parity + induced + spontaneous,
                         family = binomial, data = infert, control = ctl))

write.csv(datasets::mtcars[, c("am", "hp", "wt")], file.path(dir, "mtcars.csv"), row.names = FALSE)
mtcars <- read.csv(file.path(dir, "mtcars.csv"))
record_glm("mtcars", glm(am ~ hp + wt, family = binomial, data = mtcars, control = ctl))

# ---- generated data, written with 17 significant digits and read back
set.seed(20261130)
n <- 2000
g <- data.frame(x1 = rnorm(n), x2 = exp(rnorm(n, 0, 0.7)), x3 = 3e7 + 1e6 * rnorm(n),
                x4 = rbinom(n, 1, 0.3), x5 = runif(n, 0, 1e-4))
eta <- -1 + 0.8 * g$x1 - 0.5 * g$x2 + 0.6 * (g$x3 - 3e7) / 1e6 + 1.2 * g$x4 + 8000 * g$x5
g$y <- rbinom(n, 1, plogis(eta))
out <- g[, c("y", "x1", "x2", "x3", "x4", "x5")]
for (v in c("x1", "x2", "x3", "x5")) out[[v]] <- fmt(out[[v]])
write.csv(out, file.path(dir, "generated.csv"), row.names = FALSE, quote = FALSE)
g <- read.csv(file.path(dir, "generated.csv"))
record_glm("generated", glm(y ~ x1 + x2 + x3 + x4 + x5, family = binomial, data = g, control = ctl))

# ---- the same with an L2 penalty: maximise
#   sum y log p + (1 - y) log(1 - p) - l2 / 2 * sum_{j >= 1} gamma_j^2
# over the coefficients gamma of the standardised features (mean 0, standard
# deviation with divisor n), the intercept not penalised; report them on the
# features' scale; standard errors from the inverse of the penalised
# information matrix.
l2 <- 5
X <- as.matrix(g[, c("x1", "x2", "x3", "x4", "x5")])
m <- colMeans(X)
s <- sqrt(colMeans(sweep(X, 2, m)^2))
Z <- cbind(1, sweep(sweep(X, 2, m), 2, s, "/"))
y <- g$y
D <- diag(c(0, rep(1, ncol(X))))
objective <- function(gamma) {
  eta <- drop(Z %*% gamma)
  -(sum(y * eta - log1p(exp(eta))) - l2 / 2 * sum(gamma[-1]^2))
}
gradient <- function(gamma) {
  p <- plogis(drop(Z %*% gamma))
  -(drop(crossprod(Z, y - p)) - l2 * c(0, gamma[-1]))
}
opt <- optim(rep(0, ncol(Z)), objective, gradient, method = "BFGS",
             control = list(reltol = 1e-16, maxit = 10000))
gamma <- opt$par
stopifnot(opt$convergence == 0, max(abs(gradient(gamma))) < 1e-5)
# polish BFGS's answer with Newton steps on the penalised objective
information <- function(gamma) {
  p <- plogis(drop(Z %*% gamma))
  crossprod(Z, Z * (p * (1 - p))) + l2 * D
}
for (i in 1:5) gamma <- gamma - solve(information(gamma), gradient(gamma))
stopifnot(max(abs(gradient(gamma))) < 1e-9)
p <- plogis(drop(Z %*% gamma))
info <- information(gamma)
A <- rbind(c(1, -m / s), cbind(0, diag(1 / s)))
beta <- drop(A %*% gamma)
covariance <- A %*% solve(info) %*% t(A)
for (j in seq_along(beta)) {
  add("generated_l2", j - 1, "coefficient", beta[j])
  add("generated_l2", j - 1, "std_error", sqrt(covariance[j, j]))
}
add("generated_l2", NA, "log_likelihood", sum(y * log(p) + (1 - y) * log1p(-p)))

write.csv(expected, file.path(dir, "logistic_expected.csv"), row.names = FALSE, quote = FALSE, na = "")
cat("gradient at the penalised optimum:", max(abs(gradient(gamma))), "\n")
