-- mrr_movements on hand-built books: every edge case, with the expected
-- movements worked out in the comments.
SET DateStyle = ISO;
CREATE TABLE book(customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book VALUES
  (1, '2024-01-10', NULL,         100),     -- open: active from the end of Jan on
  (2, '2024-01-15', '2024-03-01',  50),     -- ends on Mar 1: active at the ends of Jan and Feb
  (3, '2024-02-05', '2024-02-20',  30),     -- starts and ends in Feb: never at a period end
  (4, '2024-01-01', '2024-02-01',  20),     -- upgrade: 20 in Jan ...
  (4, '2024-02-01', NULL,          40),     -- ... 40 from Feb: +20 expansion in Feb
  (5, '2024-01-01', '2024-02-10',  10),     -- churns in Feb (inactive at the end of Feb) ...
  (5, '2024-04-01', NULL,          15),     -- ... back in Apr: reactivated, not new
  (6, '2024-03-03', '2024-03-03',  99),     -- same-day start and end: nothing
  (7, '2024-01-20', NULL,           0),     -- free plan: a customer with MRR 0 ...
  (7, '2024-03-01', NULL,          25),     -- ... plus an overlapping add-on: +25 expansion in Mar
  (8, '2024-01-05', NULL,          60),     -- downgrade: 60 ...
  (8, '2024-02-14', NULL,         -0),      -- (a zero add-on changes nothing)
  (8, '2024-03-15', NULL,          35);     -- ... and 35 more from Mar (overlap: 95)

-- Jan: new 1,2,4,5,7,8 = 6 customers, 100+50+20+10+0+60 = 240
-- Feb: 4 +20 expansion, 5 churns (10); end 5 customers, 250
-- Mar: 2 churns (50), 7 +25, 8 +35 expansion; end 4 customers, 260
-- Apr: 5 reactivated (15); end 5 customers, 275
SELECT (m).* FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book)) AS m;

-- reconciliation, period by period
SELECT bool_and(mrr_start + new_mrr + expansion_mrr - contraction_mrr - churned_mrr + reactivation_mrr = mrr_end
                AND customers_start + new_customers + reactivated_customers - churned_customers = customers_end) AS reconciles
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book));

-- contraction: 8 drops its add-on at the start of May; and a quiet period (Jun) then a churn in Jul
INSERT INTO book VALUES (9, '2024-04-10', '2024-07-02', 5);
UPDATE book SET ended_at = '2024-05-01' WHERE customer_id = 8 AND mrr = 35;
SELECT period_start, customers_start, new_customers, churned_customers, customers_end,
       mrr_start, new_mrr, contraction_mrr, churned_mrr, mrr_end
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book))
WHERE period_start >= '2024-04-01';

-- bounds: a window that starts in Mar sees Jan-Feb history (5 is reactivated
-- in Apr, not new) and reports the empty periods up to Sep
SELECT period_start, customers_start, new_customers, reactivated_customers, customers_end, mrr_end
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'month', '2024-03-15', '2024-09-30') FROM book));

-- quarter, year and ISO week periods
SELECT period_start, customers_start, new_customers, churned_customers, customers_end, mrr_end
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') FROM book));
SELECT period_start, customers_end, mrr_end
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'year') FROM book));
SELECT period_start, new_customers, churned_customers, customers_end, mrr_end
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'week') FROM book
             WHERE customer_id IN (2, 5)))
WHERE new_customers + churned_customers > 0;

-- text ids and timestamptz: the same book gives the same movements
SELECT (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book)
     = (SELECT mrr_movements('cus_' || customer_id, started_at::timestamptz, ended_at::timestamptz, mrr) FROM book) AS same;

-- per plan with GROUP BY; no rows gives NULL
SELECT customer_id % 2 AS parity, (mrr_movements(customer_id, started_at, ended_at, mrr))[4].mrr_end
FROM book GROUP BY 1 ORDER BY 1;
SELECT mrr_movements(customer_id, started_at, ended_at, mrr) IS NULL AS no_rows FROM book WHERE false;

-- metrics of one period (Mar 2024): start 5 customers / 250, churned 1 (50), expansion 60
SELECT retention_rate(m), churn_rate(m), churn_rate(m, include_acquired => true),
       revenue_churn_rate(m), gross_revenue_retention(m), net_revenue_retention(m),
       quick_ratio(m), arpa(m), arr(m)
FROM unnest((SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book)) AS m
WHERE period_start = '2024-03-01';

-- two-step: a book kept per parity, rolled up, equals the one-step result
CREATE TABLE books AS
  SELECT customer_id % 2 AS parity, subscription_book_agg(customer_id, started_at, ended_at, mrr, 'month') AS book
  FROM book GROUP BY 1;
SELECT mrr_movements(rollup(book)) = (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book) AS same
FROM books;
SELECT mrr_movements(book::text::subscription_book) = mrr_movements(book) AS text_round_trip FROM books;

-- bad input
\set VERBOSITY terse
SELECT mrr_movements(1, date '2024-02-01', date '2024-01-01', 10);
SELECT mrr_movements(1, date '2024-01-01', NULL, -10);
SELECT mrr_movements(1, date '2024-01-01', NULL, 'NaN');
SELECT mrr_movements(1, date '2024-01-01', NULL, 'Infinity');
SELECT mrr_movements(1, date '-infinity', NULL, 10);
SELECT mrr_movements(NULL::int, date '2024-01-01', NULL, 10);
SELECT mrr_movements(1, NULL::date, NULL, 10);
SELECT mrr_movements(1, date '2024-01-01', NULL, NULL);
SELECT mrr_movements(1, date '2024-01-01', NULL, 10, 'fortnight');
SELECT mrr_movements(1, date '2024-01-01', NULL, 10, 'month', '2024-05-01', '2024-01-01');
SELECT mrr_movements(1, date '2024-01-01', NULL, 0.0000000000000001);
SELECT mrr_movements(1, date '2024-01-01', NULL, 100000000000000000000);
SELECT mrr_movements(x, date '2024-01-01', NULL, 10) FROM (VALUES (point(1,1))) v(x);
SELECT '\x00'::subscription_book;
SELECT 'nonsense'::subscription_book;
DROP TABLE book, books;
