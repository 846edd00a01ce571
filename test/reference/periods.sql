-- Shared by the plain-SQL references: the step between consecutive period
-- starts, for generate_series over date_trunc(period, ...) values.
CREATE SCHEMA IF NOT EXISTS ref;

CREATE OR REPLACE FUNCTION ref.period_step(period text)
RETURNS interval
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    CASE period
        WHEN 'day' THEN RETURN interval '1 day';
        WHEN 'week' THEN RETURN interval '1 week';
        WHEN 'month' THEN RETURN interval '1 month';
        WHEN 'quarter' THEN RETURN interval '3 months';
        WHEN 'year' THEN RETURN interval '1 year';
        ELSE RAISE EXCEPTION 'unknown period "%"', period
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use day, week, month, quarter or year.';
    END CASE;
END
$$;
