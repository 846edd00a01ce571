-- new in 0.2.0
-- The customer lifecycle of a book: lifetimes and conversions, as survival
-- curves (60_survival.sql) and a conversion triangle.

CREATE FUNCTION @extschema@.customer_survival(book @extschema@.subscription_book,
    period text DEFAULT 'month', zero_mrr text DEFAULT 'inactive', "to" date DEFAULT NULL)
RETURNS @extschema@.survival_curve
AS 'MODULE_PATHNAME', 'customer_survival' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.customer_survival(@extschema@.subscription_book, text, text, date) IS
'the survival curve of customers'' first spell, in periods from their cohort: an event at the first period end at which a customer is not active, censored at the last period of the data (or of "to") while still active';

CREATE FUNCTION @extschema@.cohort_conversion(book @extschema@.subscription_book, period text DEFAULT 'month',
    "to" date DEFAULT NULL)
RETURNS TABLE (cohort_start date, age integer, signups bigint, converted bigint, conversion_rate float8)
AS 'MODULE_PATHNAME', 'cohort_conversion' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.cohort_conversion(@extschema@.subscription_book, text, date) IS
'trial and free to paid conversion by signup cohort (period of the first started_at), to the last period with data or of "to": signups, customers converted (first day with MRR > 0) within age periods, and their share';

CREATE FUNCTION @extschema@.conversion_curves(book @extschema@.subscription_book, period text DEFAULT 'month',
    "to" date DEFAULT NULL)
RETURNS TABLE (cohort_start date, curve @extschema@.survival_curve)
AS 'MODULE_PATHNAME', 'conversion_curves' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.conversion_curves(@extschema@.subscription_book, text, date) IS
'per signup cohort, the survival curve of the days from signup to the first paying day; customers who never paid (by "to") are censored at the book''s last day or at "to"';
