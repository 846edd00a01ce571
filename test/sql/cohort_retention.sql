-- cohort_retention and its helpers on a hand-built book, cells worked out by hand.
SET DateStyle = ISO;
CREATE TABLE book(customer_id text, started_at date, ended_at date, mrr numeric);
INSERT INTO book VALUES
  -- January cohort: a, b, c, d
  ('a', '2024-01-03', NULL,         100),   -- stays
  ('b', '2024-01-10', '2024-02-15',  50),   -- lost at age 1 (end of Feb)
  ('c', '2024-01-20', '2024-03-01',  30),   -- lost at age 2 (ended Mar 1)
  ('d', '2024-01-25', '2024-02-01',  20),   -- lost at age 1 ...
  ('d', '2024-03-10', NULL,          40),   -- ... back at age 2 with 40
  ('a', '2024-02-01', NULL,          10),   -- a's add-on from Feb: age 1 MRR +10
  -- February cohort: e (same-month start and cancel, then a real start), f
  ('e', '2024-02-02', '2024-02-09',  70),   -- cohort Feb (its first start), invisible row
  ('e', '2024-03-05', NULL,          70),   -- active from age 1
  ('f', '2024-02-20', '2024-04-01',  25);   -- active ages 0, 1; lost at age 2 (April)

CREATE TABLE books AS SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM book;

-- Jan: age 0 a b c d = 4, 100+50+30+20 = 200; age 1 a(110) c(30) = 2, 140;
--      age 2 a(110) d(40) = 2, 150; age 3 a d = 2, 150
-- Feb: 2 customers; age 0 f = 1, 25; age 1 e f = 2, 95; age 2 e = 1, 70
SELECT c.* FROM books, cohort_retention(book) AS c;
-- the shorthand aggregate gives the same cells
SELECT (SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM book)
     = (SELECT array_agg(c) FROM books, cohort_retention(book) AS c) AS shorthand_is_reader;

SELECT h.* FROM books, cohort_churn_hazard(book) AS h;
-- Jan hazards 2/4, 0/2, 0/2; Feb -1/1, 1/2; pooled age 1: (2 - 1)/(4 + 1) = 0.2, age 2: 1/4, age 3: 0
SELECT p.* FROM books, cohort_churn_peak(book) AS p;
SELECT s.* FROM books, cohort_summary(book) AS s;
-- layer cake: Mar = Jan (age 2) 150 + Feb (age 1) 95 = 245, Jan's share 150/245
SELECT l.* FROM books, mrr_by_cohort(book) AS l;
-- the same answers from the cells of the shorthand aggregate
SELECT (SELECT array_agg(s) FROM books, cohort_summary(book) AS s)
     = (SELECT array_agg(s) FROM cohort_summary((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM book)) AS s)
       AS summary_of_cells,
       (SELECT array_agg(l) FROM books, mrr_by_cohort(book) AS l)
     = (SELECT array_agg(l) FROM mrr_by_cohort((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM book)) AS l)
       AS layers_of_cells;

-- quarterly cohorts of the same book: one cohort Q1 (6 customers); Q1 end
-- a d e f = 4, 110+40+70+25 = 245; Q2 end a d e = 3, 220 (f ended Apr 1, in Q2)
SELECT c.* FROM books, cohort_retention(book, 'quarter') AS c;
-- the annual retention of quarterly cells is read at age 4, of weekly at 52
SELECT periods_per_year('quarter') AS quarter, periods_per_year('week') AS week, periods_per_year('day') AS day;
-- the layer cake by quarter: Q2 is Q1's cohort at age 1
SELECT l.* FROM books, mrr_by_cohort(book, 'quarter') AS l;

-- a customer on a free plan first: under zero_mrr 'inactive' its cohort is
-- its first paying month (Mar), under 'active' its first start (Jan)
CREATE TABLE trial(customer_id text, started_at date, ended_at date, mrr numeric);
INSERT INTO trial VALUES ('t', '2024-01-20', '2024-03-05', 0), ('t', '2024-03-05', NULL, 49);
SELECT c.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM trial) b,
                cohort_retention(book) AS c;
SELECT c.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM trial) b,
                cohort_retention(book, zero_mrr => 'active') AS c;
-- a customer who never pays is in no cohort (inactive), or in one with no revenue retention (active)
SELECT count(*) AS cells FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 0::numeric) AS book) b,
                               cohort_retention(book) AS c;
SELECT c.* FROM (SELECT subscription_book_agg(1, date '2024-01-01', NULL, 0::numeric) AS book) b,
                cohort_retention(book, 'month', 'active') AS c;
-- an unknown period is an error everywhere
\set VERBOSITY terse
SELECT periods_per_year('monthly');
SELECT * FROM mrr_by_cohort((SELECT cohort_retention(customer_id, started_at, ended_at, mrr) FROM book), 'monthly');
SELECT * FROM books, cohort_summary(book, 'fortnight');
DROP TABLE book, books, trial;
