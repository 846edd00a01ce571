-- NPS aggregate, two-step summaries and rollup.
SET DateStyle = ISO;
CREATE TABLE answers(day date, score integer);
INSERT INTO answers VALUES
  ('2026-01-01', 10), ('2026-01-01', 9), ('2026-01-01', 6),
  ('2026-01-02', 8), ('2026-01-02', 7), ('2026-01-02', 0),
  ('2026-01-03', 10), ('2026-01-03', NULL);

-- 3 promoters, 2 passives, 2 detractors (NULL ignored): 100 * (3 - 2) / 7
SELECT nps(score), nps_agg(score) FROM answers;

CREATE TABLE daily AS SELECT day, nps_agg(score) AS summary FROM answers GROUP BY day;
SELECT day, summary, nps(summary), responses(summary) FROM daily ORDER BY day;
SELECT rollup(summary), nps(rollup(summary)), promoters(rollup(summary)),
       passives(rollup(summary)), detractors(rollup(summary)) FROM daily;

SELECT nps(score) IS NULL AS empty, nps_agg(score) FROM answers WHERE false;
SELECT 'promoters=1 passives=2 detractors=3'::nps_summary;
\set VERBOSITY terse
SELECT nps(s) FROM (VALUES (10), (11)) AS v(s);
SELECT 'promoters=1 passives=-2 detractors=3'::nps_summary;
SELECT 'garbage'::nps_summary;

DROP TABLE answers, daily;
