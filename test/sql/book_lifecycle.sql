-- The customer lifecycle read from a subscription book, on a hand-built
-- book, with every figure worked out in the comments.
SET DateStyle = ISO;
CREATE TABLE book(customer_id bigint, started_at date, ended_at date, mrr numeric);
INSERT INTO book VALUES
  (1, '2024-01-10', NULL,         100),     -- pays from Jan, stays
  (2, '2024-01-15', '2024-03-01',  50),     -- active at the ends of Jan and Feb, gone at the end of Mar
  (3, '2024-02-05', '2024-02-20',  30),     -- joins and leaves inside Feb
  (4, '2024-01-01', '2024-02-01',  20),     -- an upgrade: one spell from Jan on
  (4, '2024-02-01', NULL,          40),
  (5, '2024-01-01', '2024-02-10',  10),     -- leaves in Feb ...
  (5, '2024-04-01', NULL,          15),     -- ... and comes back in Apr (a second spell)
  (7, '2024-01-20', NULL,           0),     -- free from Jan 20 ...
  (7, '2024-03-01', NULL,          25);     -- ... pays from Mar 1
CREATE TABLE books AS SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM book;

-- Lifetimes by month, from the cohort (first paying month); the data ends
-- in April.  1: Jan, still active at the end of Apr: censored at 3.
-- 2: Jan, gone at the end of Mar: event at 2.  3: Feb, gone at the end of
-- Feb: event at 0.  4: Jan, censored at 3.  5: Jan, gone at the end of Feb:
-- event at 1 (its comeback does not extend its first spell).  7: Mar,
-- censored at 1.
SELECT customer_survival(book) FROM books;
-- S(0) = 5/6, S(1) = 5/6 * 4/5, S(2) = 2/3 * 2/3 = 4/9; the median is the
-- first age where S <= 0.5: 2 months
SELECT t.time, t.at_risk, t.events, t.censored, round(t.survival::numeric, 4) AS survival
FROM books, survival_table(customer_survival(book)) AS t;
SELECT median_survival(customer_survival(book)) AS median_months,
       round(restricted_mean_survival(customer_survival(book), 3)::numeric, 4) AS mean_months_to_3
FROM books;
-- under zero_mrr 'active' 7 is in January's cohort (its free row), censored at 3
SELECT customer_survival(book, zero_mrr => 'active') FROM books;
-- by quarter: every cohort is Q1; at the end of Q1 2, 3 and 5 are gone
-- (events at 0), 1, 4 and 7 are active and censored at 1 (the data ends in Q2)
SELECT customer_survival(book, 'quarter') FROM books;

-- Conversion: signup is the first start; 7 signs up on Jan 20 and first
-- pays on Mar 1, 41 days later, at age 2 of its January cohort; the others
-- pay from their first day (age 0).
SELECT c.* FROM books, cohort_conversion(book) AS c;
SELECT c.* FROM books, conversion_curves(book) AS c;
-- a free customer who never pays is censored at the book's last day (Apr 1)
INSERT INTO book VALUES (8, '2024-03-22', NULL, 0);
SELECT c.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM book) b,
                conversion_curves(b.book) AS c;
SELECT c.* FROM (SELECT subscription_book_agg(customer_id, started_at, ended_at, mrr) AS book FROM book) b,
                cohort_conversion(b.book) AS c WHERE cohort_start = '2024-03-01';

-- errors and NULLs; a daily triangle from January to April is 92 days of
-- cohorts, of which 7 have signups: 383 cells
\set VERBOSITY terse
SELECT customer_survival(book, 'fortnight') FROM books;
SELECT customer_survival(book, zero_mrr => NULL) FROM books;
SELECT customer_survival(NULL) IS NULL AS null_book;
SELECT count(*) FROM cohort_conversion(NULL);
SELECT count(*) FROM books, cohort_conversion(book, 'day');
DROP TABLE book, books;
