# Reference Student Growth Percentiles for bench/growth_sgp.py, written from the SGP package's conventions
# (shared reference, analytics section 2) with base R, splines and quantreg only; no SGP package code.
#
#   Rscript bench/sgp_reference.R marks.csv sgp.csv timing.csv [knots]
#
# marks.csv is the long file `tandem analyse --input` reads: pupil, subject, window, score, year_group (an
# empty score is a pupil not assessed). Windows are ordered as text; consecutive windows are neighbours in
# that order (the bench's data are annual). For each subject, current window and year group g, order k uses
# the k previous windows with year groups g-1, ..., g-k and a score in every one of them (a repeated year
# group or a missed window breaks the chain). Every order 1..4 that has pupils is fitted; a pupil's reported
# SGP is the highest order they have.
#
# Knots and boundaries per subject and year group, from every score at that year group and subject in the
# knot windows, stacked (not from the pupils in the fit): knots = type-7 20/40/60/80% quantiles, boundaries
# = extendrange(f = 0.1), both rounded to 3 decimals. `knots` chooses the windows:
#   before  (default) the windows before the current window of each model: the years prior to it;
#   prior   every window before the newest: the prior years of the data as a whole;
#   all     every window, the current one included.
# The issue's "in the prior years of the data" reads as either of the first two; they agree for the newest
# window, the one a school acts on.
#
# Fit: rq(y ~ bs(prior_1) + ... + bs(prior_k), tau = 0.005, 0.015, ..., 0.995, method = "fn"), bs() cubic
# with those knots and Boundary.knots. Priors outside the boundaries (possible with `before`) are clipped to
# them, as Tandem does. Predicted quantiles: sorted per pupil, rounded to 5 decimals; SGP = number strictly
# below the current score, clipped to 1..99.
#
# sgp.csv: pupil, subject, window, year_group, sgp_order_1..4 (empty where the pupil has no such order),
# sgp (highest order), sgp_order. timing.csv: one row per fitted model with n, p and the seconds of the rq()
# call alone (system.time elapsed; the bench sums them) and quantreg's warnings (e.g. "possibly singular
# design" from fn at an extreme tau), counted and the first one kept.

suppressPackageStartupMessages({
  library(splines)
  library(quantreg)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: Rscript sgp_reference.R marks.csv sgp.csv timing.csv [before|prior|all]")
knot_mode <- if (length(args) >= 4) args[4] else "before"
if (!knot_mode %in% c("before", "prior", "all")) stop("knots must be before, prior or all")

MAX_ORDER <- 4L
TAUS <- (seq_len(100) - 0.5) / 100

marks <- read.csv(
  args[1],
  colClasses = c(pupil = "character", subject = "character", window = "character",
                 score = "numeric", year_group = "integer"),
  na.strings = ""
)
windows <- sort(unique(marks$window), method = "radix") # byte order, as Python compares text
n_windows <- length(windows)
marks$w <- match(marks$window, windows)

knots_for <- function(values) {
  list(
    knots = round(as.numeric(quantile(values, c(0.2, 0.4, 0.6, 0.8), type = 7, names = FALSE)), 3),
    boundaries = round(extendrange(values, f = 0.1), 3)
  )
}

results <- list()
timings <- list()
for (subject in sort(unique(marks$subject), method = "radix")) {
  rows <- marks[marks$subject == subject, ]
  pupils <- unique(rows$pupil)
  i <- match(rows$pupil, pupils)
  # Pupils x windows: score (NA: not assessed or no row) and year group (NA: no row).
  score <- matrix(NA_real_, length(pupils), n_windows)
  grade <- matrix(NA_integer_, length(pupils), n_windows)
  score[cbind(i, rows$w)] <- rows$score
  grade[cbind(i, rows$w)] <- rows$year_group

  by_order <- array(NA_integer_, c(length(pupils), n_windows, MAX_ORDER))
  spec_cache <- list()
  spec <- function(g, current_w) {
    allowed <- switch(knot_mode,
      prior = rows$w < n_windows,
      all = rep(TRUE, nrow(rows)),
      before = rows$w < current_w
    )
    key <- paste(g, if (knot_mode == "before") current_w else 0)
    if (is.null(spec_cache[[key]])) {
      values <- rows$score[allowed & rows$year_group == g & !is.na(rows$score)]
      spec_cache[[key]] <<- knots_for(values)
    }
    spec_cache[[key]]
  }

  for (w in seq_len(n_windows)[-1]) {
    for (g in sort(unique(grade[, w]))) {
      here <- which(grade[, w] == g & !is.na(score[, w]))
      chain <- rep(TRUE, length(here))
      for (k in seq_len(min(MAX_ORDER, w - 1L))) {
        chain <- chain & !is.na(grade[here, w - k]) & grade[here, w - k] == g - k & !is.na(score[here, w - k])
        fit_rows <- here[chain]
        p <- 1L + 7L * k
        if (length(fit_rows) <= p + 1L) break
        y <- score[fit_rows, w]
        design <- do.call(cbind, lapply(seq_len(k), function(j) {
          # Oldest prior first, as Tandem orders them.
          lag <- k - j + 1L
          s <- spec(g - lag, w)
          x <- pmin(pmax(score[fit_rows, w - lag], s$boundaries[1]), s$boundaries[2])
          bs(x, knots = s$knots, Boundary.knots = s$boundaries, degree = 3)
        }))
        warned <- character()
        seconds <- system.time(fit <- withCallingHandlers(
          rq(y ~ design, tau = TAUS, method = "fn"),
          warning = function(w) {
            warned <<- c(warned, conditionMessage(w))
            invokeRestart("muffleWarning")
          }
        ))[["elapsed"]]
        q <- cbind(1, design) %*% coef(fit)
        q <- round(t(apply(q, 1, sort)), 5)
        by_order[fit_rows, w, k] <- pmin(pmax(rowSums(q < y), 1L), 99L)
        timings[[length(timings) + 1L]] <- data.frame(
          subject = subject, window = windows[w], year_group = g, order = k,
          n = length(fit_rows), p = p, seconds = seconds, warnings = length(warned),
          warning = if (length(warned)) gsub("\\s+", " ", warned[1]) else ""
        )
      }
    }
  }

  any_sgp <- which(!is.na(by_order[, , 1]), arr.ind = TRUE)
  if (nrow(any_sgp) == 0) next
  pi <- any_sgp[, 1]
  wi <- any_sgp[, 2]
  out <- data.frame(
    pupil = pupils[pi], subject = subject, window = windows[wi], year_group = grade[any_sgp],
    stringsAsFactors = FALSE
  )
  highest <- rep(NA_integer_, nrow(out))
  order <- rep(NA_integer_, nrow(out))
  for (k in seq_len(MAX_ORDER)) {
    values <- by_order[cbind(pi, wi, k)]
    out[[paste0("sgp_order_", k)]] <- values
    has <- !is.na(values)
    highest[has] <- values[has]
    order[has] <- k
  }
  out$sgp <- highest
  out$sgp_order <- order
  results[[subject]] <- out
}

write.csv(do.call(rbind, results), args[2], row.names = FALSE, na = "")
timing <- do.call(rbind, timings)
write.csv(timing, args[3], row.names = FALSE)
cat(sprintf("models %d, rq seconds %.3f\n", nrow(timing), sum(timing$seconds)))
cat(sprintf("quantreg %s, %s, knots from %s\n",
            as.character(packageVersion("quantreg")), R.version.string, knot_mode))
