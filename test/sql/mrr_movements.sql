-- MRR movements of hand-built books: every edge case and both conventions,
-- with the expected movements worked out in the comments.
SET DateStyle = ISO;
CREATE TABLE book(customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book VALUES
  (1, '2024-01-10', NULL,         100),     -- open: active from Jan 10 on
  (2, '2024-01-15', '2024-03-01',  50),     -- ends on Mar 1: active at the ends of Jan and Feb
  (3, '2024-02-05', '2024-02-20',  30),     -- starts and ends in Feb: never at a period end
  (4, '2024-01-01', '2024-02-01',  20),     -- upgrade: 20 in Jan ...
  (4, '2024-02-01', NULL,          40),     -- ... 40 from Feb: +20 expansion in Feb
  (5, '2024-01-01', '2024-02-10',  10),     -- churns in Feb (inactive at the end of Feb) ...
  (5, '2024-04-01', NULL,          15),     -- ... back in Apr: reactivated, not new
  (6, '2024-03-03', '2024-03-03',  99),     -- same-day start and end: nothing
  (7, '2024-01-20', NULL,           0),     -- free plan (MRR 0) ...
  (7, '2024-03-01', NULL,          25),     -- ... then a paid add-on from Mar
  (8, '2024-01-05', NULL,          60),     -- 60 ...
  (8, '2024-02-14', NULL,         -0),      -- (a zero add-on changes nothing)
  (8, '2024-03-15', NULL,          35);     -- ... and 35 more from Mar (overlap: 95)
CREATE TABLE books AS SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM book;

-- The defaults: by month, zero_mrr 'inactive' (a customer counts while its
-- MRR is above zero), changes 'period_end' (net change between month ends).
-- Jan end: 1 2 4 5 8 = 5 new, 100+50+20+10+60 = 240 (7 has MRR 0: not a customer)
-- Feb end: 4 +20 expansion, 5 churns (10); 4 customers, 250
-- Mar end: 2 churns (50); 7 pays: new (25); 8 +35 expansion; 4 customers, 260
-- Apr end: 5 reactivated (15); 5 customers, 275
SELECT m.* FROM books, mrr_movements(book) AS m;

-- zero_mrr 'active' (0.1.0's rule): a customer counts while it has a row, even
-- at MRR 0, so 7 is new in Jan with 0 and its paid add-on is +25 expansion in Mar.
-- Jan: 6 new, 240; Feb: as above, 5 customers 250; Mar: 2 churns, +60 expansion
-- (7: 25, 8: 35), 4 customers 260; Apr: 5 reactivated, 5 customers 275
SELECT m.* FROM books, mrr_movements(book, zero_mrr => 'active') AS m;

-- changes 'all': every change inside a month counts, on its day.
-- Jan: 4 5 (Jan 1), 8, 1, 2 new = 5, 240
-- Feb: Feb 1 4 +20; Feb 5 3 new (30); Feb 10 5 churns (10); Feb 20 3 churns (30):
--      1 new (30), 2 churned (40), +20 expansion; 4 customers, 250
-- Mar: Mar 1 2 churns (50) and 7 new (25); Mar 15 8 +35; 4 customers, 260
-- Apr: 5 reactivated (15); 5 customers, 275
SELECT m.* FROM books, mrr_movements(book, changes => 'all') AS m;

-- the customers behind them: Feb under 'all' is 4 up, 3 in and out, 5 out
SELECT d.* FROM books, customer_movements(book, changes => 'all') AS d
WHERE period_start = '2024-02-01' ORDER BY customer_id, movement;

-- reconciliation, period by period, under every convention
SELECT zero_mrr, changes,
       bool_and(mrr_start + new_mrr + expansion_mrr - contraction_mrr - churned_mrr + reactivation_mrr = mrr_end
                AND customers_start + new_customers + reactivated_customers - churned_customers = customers_end
                AND mrr_end = next_mrr_start AND customers_end = next_customers_start) AS reconciles
FROM (SELECT c.zero_mrr, c.changes, m.*,
             lead(m.mrr_start, 1, m.mrr_end) OVER w AS next_mrr_start,
             lead(m.customers_start, 1, m.customers_end) OVER w AS next_customers_start
      FROM books,
           (VALUES ('inactive', 'period_end'), ('inactive', 'all'), ('active', 'period_end'), ('active', 'all'))
               AS c(zero_mrr, changes),
           mrr_movements(book, 'month', NULL, NULL, c.zero_mrr, c.changes) AS m
      WINDOW w AS (PARTITION BY c.zero_mrr, c.changes ORDER BY m.period_start)) AS periods
GROUP BY 1, 2 ORDER BY 1, 2;

-- who is a customer on a day, and with what MRR: on Feb 15, 1 2 3 4 8
-- pay (5 left on Feb 10), and 7 is on MRR 0
SELECT c.* FROM books, customers_at(book, '2024-02-15') AS c ORDER BY customer_id;
SELECT c.* FROM books, customers_at(book, '2024-02-15', zero_mrr => 'active') AS c ORDER BY customer_id;

-- contraction: 8 drops its add-on at the start of May; and a quiet period (Jun) then a churn in Jul
INSERT INTO book VALUES (9, '2024-04-10', '2024-07-02', 5);
UPDATE book SET ended_at = '2024-05-01' WHERE customer_id = 8 AND mrr = 35;
TRUNCATE books;
INSERT INTO books SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) FROM book;
SELECT period_start, customers_start, new_customers, churned_customers, customers_end,
       mrr_start, new_mrr, contraction_mrr, churned_mrr, mrr_end, contraction_customers
FROM books, mrr_movements(book)
WHERE period_start >= '2024-04-01';

-- a window that starts in Mar sees Jan-Feb history (5 is reactivated in Apr,
-- not new) and reports the empty periods up to Sep
SELECT period_start, customers_start, new_customers, reactivated_customers, customers_end, mrr_end
FROM books, mrr_movements(book, 'month', '2024-03-15', '2024-09-30');

-- one book, any period: quarter, year, ISO week and day
SELECT period_start, customers_start, new_customers, churned_customers, customers_end, mrr_end
FROM books, mrr_movements(book, 'quarter');
SELECT period_start, customers_end, mrr_end FROM books, mrr_movements(book, 'year');
SELECT period_start, new_customers, churned_customers, customers_end, mrr_end
FROM books, mrr_movements(book, 'week')
WHERE new_customers + churned_customers > 0 AND period_start < '2024-03-01';
SELECT period_start, new_customers, churned_customers, customers_end, mrr_end
FROM books, mrr_movements(book, 'day', '2024-02-01', '2024-02-29')
WHERE new_customers + churned_customers + expansion_customers > 0;

-- the shorthand aggregate = reading the book with the defaults, for the date
-- and timestamptz forms and every customer_id type
SELECT (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book)
     = (SELECT array_agg(m) FROM books, mrr_movements(book) AS m) AS shorthand_is_reader,
       (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book)
     = (SELECT mrr_movements('cus_' || customer_id, started_at::timestamptz, ended_at::timestamptz, mrr) FROM book) AS text_timestamptz,
       (SELECT mrr_movements(customer_id, started_at, ended_at, mrr) FROM book)
     = (SELECT mrr_movements(md5(customer_id::text)::uuid, started_at, ended_at, mrr) FROM book) AS uuid_ids,
       (SELECT mrr_movements(customer_id, started_at, ended_at, mrr, 'quarter') FROM book)
     = (SELECT array_agg(m) FROM books, mrr_movements(book, 'quarter') AS m) AS quarter;

-- per segment with GROUP BY; no rows gives a NULL book, which reads as no rows
SELECT customer_id % 2 AS parity, (mrr_movements(customer_id, started_at, ended_at, mrr))[4].mrr_end
FROM book GROUP BY 1 ORDER BY 1;
SELECT mrr_movements(customer_id, started_at, ended_at, mrr) IS NULL AS no_rows FROM book WHERE false;
SELECT count(*) AS rows_of_a_null_book FROM mrr_movements(NULL::subscription_book);

-- metrics of one period (Mar 2024): start 4 customers / 250, churned 1 (50),
-- new 1 (25), expansion 35 (8), contraction 0
SELECT retention_rate(m), churn_rate(m), churn_rate(m, include_acquired => true),
       revenue_churn_rate(m), gross_revenue_retention(m), net_revenue_retention(m),
       quick_ratio(m), arpa(m), arr(m), upgrade_rate(m), downgrade_rate(m)
FROM books, mrr_movements(book) AS m
WHERE period_start = '2024-03-01';

-- two-step: books kept per parity, rolled up, equal the whole book
CREATE TABLE parity_books AS
  SELECT customer_id % 2 AS parity, subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book
  FROM book GROUP BY 1;
SELECT (SELECT rollup(book) FROM parity_books)::text = (SELECT book FROM books)::text AS rollup_is_whole;
SELECT s.* FROM books, subscription_book_stats(book) AS s;
DROP TABLE book, books, parity_books;
