# Expected values for the survival tests (test/t/survival_outside.sql), computed
# by R's survival package: the independent reference the tests compare with.
#
#   cd test/outside/survival && Rscript make_expected.R
#
# (Debian 12: apt-get install r-base-core r-cran-survival.)  Writes, next to
# this script:
#   data.csv     the subjects: dataset, grp, time, observed
#   km.csv       survfit: every distinct time of every curve, with n.risk,
#                n.event, n.censor, surv, std.err (of surv) and the limits
#                for each conf.type and conf.int (lower_ll95, upper_ll95 for
#                log-log at 0.95, ...: see settings below)
#   at.csv       summary(fit, times = ..., extend = TRUE): S(t), its standard
#                error and limits before, between, at and after the times
#   summary.csv  print.survfit's median and its limits (the "minmin"
#                convention) and quantile.survfit's 25 % and 75 % quantiles
#                with limits, per conf.type and conf.int
#   rmean.csv    print(fit, rmean = tau): rmean and se(rmean)
#   logrank.csv  survdiff: chisq, degrees of freedom, p-value
#   versions.txt the R and survival versions that produced them
# The suite reads the CSV files; it never runs R.  Every number is written
# with 17 significant digits (exact for a double); NA is an empty field.
suppressMessages(library(survival))

num <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
write_table <- function(df, file) {
    for (col in names(df)) if (is.numeric(df[[col]])) df[[col]] <- num(df[[col]])
    write.csv(df, file, row.names = FALSE, quote = FALSE, na = "")
}

# ---- the data sets -------------------------------------------------------------
# R's own: lung (status 2 = dead), aml (status 1 = relapse), ovarian (fustat 1 = dead).
# Generated, with fixed seeds: whole days (many ties) in three plans;
# continuous times rounded to 0.001 in two arms; a small set whose curve
# sits exactly at 0.75 and 0.5 over intervals; censorings before the first
# event and events at time 0; four and five groups; two very different
# arms (a p-value far in the tail).
set.seed(20261101)
n <- 600
plan <- sample(c("starter", "growth", "business"), n, replace = TRUE)
rate <- c(starter = 1 / 40, growth = 1 / 55, business = 1 / 70)[plan]
event_day <- ceiling(rexp(n, rate))
follow_up <- sample(1:120, n, replace = TRUE)      # administrative censoring
days <- data.frame(dataset = "days", grp = plan, time = pmin(event_day, follow_up),
                   observed = event_day <= follow_up)

set.seed(7)
arm <- rep(c("a", "b"), each = 100)
t_event <- rweibull(200, shape = ifelse(arm == "a", 1.4, 0.9), scale = ifelse(arm == "a", 10, 12))
t_censor <- runif(200, 0, 25)
continuous <- data.frame(dataset = "continuous", grp = arm, time = round(pmin(t_event, t_censor), 3),
                         observed = t_event <= t_censor)

# S = 7/8 after 1, 6/8 = 0.75 after 2 (until 3), 5/8 after 3, 4/8 = 0.5 after 4
# (censored at 5, until the drop at 6), 1/4 after 6, 0 after 8
flat <- data.frame(dataset = "flat", grp = "one", time = c(1, 2, 3, 4, 5, 6, 7, 8),
                   observed = c(TRUE, TRUE, TRUE, TRUE, FALSE, TRUE, FALSE, TRUE))

# censorings before the first event (S = 1 there), and events at time 0
early <- data.frame(dataset = "early", grp = rep(c("late", "zero"), c(10, 4)),
                    time = c(0, 0, 0.5, 1, 1, 2, 3, 4, 4, 5, 0, 0, 1, 2),
                    observed = c(FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, FALSE, TRUE, FALSE, TRUE,
                                 TRUE, FALSE, TRUE, FALSE))

# more than two groups, for the log-rank test's chi-square on 3 and 4
# degrees of freedom: four groups from one distribution (a small
# statistic), five with different rates (a large one); durations in weeks
set.seed(2)
same4 <- data.frame(dataset = "same4", grp = rep(paste0("g", 1:4), each = 30),
                    time = ceiling(rexp(120, 1 / 6)), observed = runif(120) < 0.8)
set.seed(5)
rates5 <- rep(c(1 / 3, 1 / 5, 1 / 8, 1 / 12, 1 / 20), each = 30)
five <- data.frame(dataset = "five", grp = rep(paste0("r", 1:5), each = 30),
                   time = ceiling(rexp(150, rates5)), observed = runif(150) < 0.85)

set.seed(99)
tail_arm <- rep(c("fast", "slow"), each = 100)
t_tail <- round(rexp(200, ifelse(tail_arm == "fast", 1, 1 / 15)), 1)
far_tail <- data.frame(dataset = "far_tail", grp = tail_arm, time = t_tail, observed = t_tail <= 20)
far_tail$time <- pmin(far_tail$time, 20)

data <- rbind(
    data.frame(dataset = "lung", grp = paste0("sex", lung$sex), time = lung$time, observed = lung$status == 2),
    data.frame(dataset = "aml", grp = as.character(aml$x), time = aml$time, observed = aml$status == 1),
    data.frame(dataset = "ovarian", grp = paste0("rx", ovarian$rx), time = ovarian$futime,
               observed = ovarian$fustat == 1),
    days, continuous, flat, early, same4, five, far_tail)
data$observed <- ifelse(data$observed, "true", "false")
write_table(data, "data.csv")

# the curves: each group of each data set, and each data set whole ("all")
curves <- list()
for (ds in unique(data$dataset)) {
    d <- data[data$dataset == ds, ]
    curves[[length(curves) + 1]] <- list(dataset = ds, grp = "all", d = d)
    if (length(unique(d$grp)) > 1)
        for (g in sort(unique(d$grp)))
            curves[[length(curves) + 1]] <- list(dataset = ds, grp = g, d = d[d$grp == g, ])
}
fit_of <- function(cv, conf.type = "log-log", conf.int = 0.95)
    survfit(Surv(time, observed == "true") ~ 1, data = cv$d, conf.type = conf.type, conf.int = conf.int)
# conf.type and conf.int of the limits: column suffixes of km.csv and at.csv
settings <- list(ll95 = c("log-log", 0.95), log95 = c("log", 0.95), plain95 = c("plain", 0.95),
                 ll90 = c("log-log", 0.9), log99 = c("log", 0.99))

km <- list()
summ <- list()
at <- list()
for (cv in curves) {
    fit <- fit_of(cv)
    points <- data.frame(dataset = cv$dataset, grp = cv$grp, time = fit$time, n_risk = fit$n.risk,
                         n_event = fit$n.event, n_censor = fit$n.censor, surv = fit$surv,
                         std_err = fit$surv * fit$std.err)
    # S(t) before the first time, between times, at a time and past the last
    times <- sort(unique(c(0, min(fit$time) / 2, quantile(fit$time, c(0.1, 0.5, 0.9), type = 1),
                           quantile(fit$time, c(0.3, 0.7), type = 1) + 0.5, max(fit$time) * 1.5)))
    st <- summary(fit, times = times, extend = TRUE)
    at_t <- data.frame(dataset = cv$dataset, grp = cv$grp, t = st$time, surv = st$surv, std_err = st$std.err)
    for (name in names(settings)) {
        s <- settings[[name]]
        fit <- fit_of(cv, s[1], as.numeric(s[2]))
        points[[paste0("lower_", name)]] <- fit$lower
        points[[paste0("upper_", name)]] <- fit$upper
        st <- summary(fit, times = times, extend = TRUE)
        at_t[[paste0("lower_", name)]] <- st$lower
        at_t[[paste0("upper_", name)]] <- st$upper
        tab <- summary(fit)$table
        q <- quantile(fit, probs = c(0.25, 0.75), conf.int = TRUE)
        summ[[length(summ) + 1]] <- data.frame(dataset = cv$dataset, grp = cv$grp, conf_type = s[1],
            conf_level = as.numeric(s[2]), n = tab[["records"]], events = tab[["events"]],
            median = tab[["median"]], median_lcl = tab[[paste0(s[2], "LCL")]],
            median_ucl = tab[[paste0(s[2], "UCL")]],
            q25 = q$quantile[[1]], q25_lcl = q$lower[[1]], q25_ucl = q$upper[[1]],
            q75 = q$quantile[[2]], q75_lcl = q$lower[[2]], q75_ucl = q$upper[[2]])
    }
    km[[length(km) + 1]] <- points
    at[[length(at) + 1]] <- at_t
}
write_table(do.call(rbind, km), "km.csv")
write_table(do.call(rbind, summ), "summary.csv")
write_table(do.call(rbind, at), "at.csv")

# restricted means: at a time inside each data set, at its last time and past it
rm <- list()
for (cv in curves) {
    fit <- fit_of(cv)
    last <- max(cv$d$time)
    for (tau in unique(c(round(last / 3, 1), last, last * 2))) {
        tab <- summary(fit, rmean = tau)$table
        rm[[length(rm) + 1]] <- data.frame(dataset = cv$dataset, grp = cv$grp, tau = tau,
                                           rmean = tab[["rmean"]], se_rmean = tab[["se(rmean)"]])
    }
}
write_table(do.call(rbind, rm), "rmean.csv")

lr <- list()
for (ds in unique(data$dataset)) {
    d <- data[data$dataset == ds, ]
    if (length(unique(d$grp)) < 2) next
    sd <- survdiff(Surv(time, observed == "true") ~ grp, data = d)
    df <- sum(sd$exp > 0) - 1
    lr[[length(lr) + 1]] <- data.frame(dataset = ds, groups = paste(sort(unique(d$grp)), collapse = " "),
                                       chisq = sd$chisq, df = df, p_value = sd$pvalue)
}
write_table(do.call(rbind, lr), "logrank.csv")

writeLines(c(R.version.string, paste("survival", packageVersion("survival"))), "versions.txt")
