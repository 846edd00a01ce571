-- The CDNOW purchase lines (test/data/cdnow_sample.txt) as the temporary
-- table cdnow(customer_id, purchased_on, amount): the sample customer id,
-- the day and the dollar value of each line.  Run from the repository root.
CREATE TEMP TABLE cdnow_lines(line text);
\copy cdnow_lines FROM 'test/data/cdnow_sample.txt' WITH (FORMAT text, DELIMITER E'\x01')
CREATE TEMP TABLE cdnow AS
SELECT f[2]::integer AS customer_id, to_date(f[3], 'YYYYMMDD') AS purchased_on, f[5]::numeric AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_lines) AS s;
