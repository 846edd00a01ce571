-- Plain-SQL reference for classifier_report(), independent of the C code:
-- over a table of (score float8, label boolean), rows with a NULL in either
-- left out.
--
-- The AUC is the Mann-Whitney U statistic by the rank-sum formula,
-- U = R+ - n+ (n+ + 1) / 2 with R+ the sum of the positives' mid-ranks
-- (ties get the mean of their ranks), over n+ n-, in numeric; the C code
-- counts pairs along a sort instead.  Deciles: the rows ranked by score,
-- highest first, runs of equal scores shared between deciles in proportion
-- to their overlap with each decile's ranks [(d - 1) n / 10, d n / 10).
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE FUNCTION ref.classifier_report(scores regclass,
    OUT rows bigint, OUT positives bigint, OUT auc float8, OUT log_loss float8, OUT brier_score float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    EXECUTE format($q$
        WITH s AS (SELECT score, label FROM %s WHERE score IS NOT NULL AND label IS NOT NULL),
        ranked AS (
            SELECT score, label,
                   rank() OVER (ORDER BY score) + (count(*) OVER (PARTITION BY score) - 1) / 2.0 AS midrank
            FROM s
        )
        SELECT count(*), count(*) FILTER (WHERE label),
               ((sum(midrank) FILTER (WHERE label)
                 - count(*) FILTER (WHERE label) * (count(*) FILTER (WHERE label) + 1) / 2.0)
                / nullif(count(*) FILTER (WHERE label) * count(*) FILTER (WHERE NOT label), 0))::float8,
               CASE WHEN bool_and(score BETWEEN 0 AND 1) THEN
                   avg(CASE WHEN label THEN -ln(score::numeric) ELSE -ln(1 - score::numeric) END)::float8 END,
               CASE WHEN bool_and(score BETWEEN 0 AND 1) THEN
                   avg((score::numeric - label::int) ^ 2)::float8 END
        FROM ranked
    $q$, scores) INTO rows, positives, auc, log_loss, brier_score;
END $$;

CREATE OR REPLACE FUNCTION ref.classifier_deciles(scores regclass)
RETURNS TABLE(decile integer, rows numeric, positives numeric, min_score float8, max_score float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        WITH s AS (SELECT score, label FROM %s WHERE score IS NOT NULL AND label IS NOT NULL),
        runs AS (
            SELECT score, count(*) AS m, count(*) FILTER (WHERE label) AS p FROM s GROUP BY score
        ),
        placed AS (
            SELECT score, m, p,
                   sum(m) OVER (ORDER BY score DESC) - m AS first_rank,
                   sum(m) OVER (ORDER BY score DESC) AS end_rank,
                   (SELECT count(*) FROM s) AS n
            FROM runs
        ),
        shared AS (
            SELECT d, score, p, m,
                   greatest(0, least(end_rank, n * d / 10.0) - greatest(first_rank, n * (d - 1) / 10.0)) AS overlap
            FROM placed, generate_series(1, 10) AS d
        )
        SELECT d, sum(overlap), sum(p * overlap / m),
               min(score) FILTER (WHERE overlap > 0), max(score) FILTER (WHERE overlap > 0)
        FROM shared GROUP BY d ORDER BY d
    $q$, scores);
END $$;
