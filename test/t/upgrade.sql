-- ALTER EXTENSION saas_metrics UPDATE from every released version: a
-- database created at the old version, holding stored summaries, is updated
-- and must then have exactly the objects of a fresh install (every function
-- with its definition, every aggregate with its support functions, every
-- type with its fields, every comment), compared through dblink with this
-- database, where the extension was created at the default version.
SELECT current_database() AS tap_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS saas_metrics_from_0_1_0;
CREATE DATABASE saas_metrics_from_0_1_0;
\c saas_metrics_from_0_1_0
SET client_min_messages = warning;
CREATE EXTENSION saas_metrics VERSION '0.1.0';
CREATE TABLE stored AS
SELECT nps_agg(s) AS nps, sbg_fit(ARRAY[1000, 631, 468, 382, 326, 289, 262, 241]) AS sbg_model
FROM generate_series(0, 10) s;
-- A subscription_book as the 0.1.0 library stored it (its text form, from
-- subscription_book_agg(c, date '2024-01-01' + c * 40, NULL, 10.5 * c, 'month')
-- over c = 1, 2, less the 4-byte header).  That library is gone, so the
-- bytes are put under the type the way they were on disk: a bytea column
-- whose type is then changed in the catalog.
CREATE TABLE stored_book (book bytea);
INSERT INTO stored_book VALUES (decode('0100010001000000170000006400000000000080ffffff7fe15e0000e25e000002000000020000000000000000000000000000000200000000000000f6dc9e43e25e0000010000000000000001000000000000004617738ee15e00000100000000000000d200000000000000e25e0000ffffff7f6900000000000000e15e0000ffffff7f', 'hex'));
UPDATE pg_attribute SET atttypid = 'subscription_book'::regtype, attalign = 'd'
WHERE attrelid = 'stored_book'::regclass AND attname = 'book';
ALTER EXTENSION saas_metrics UPDATE;
\c :tap_db

BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(5);

-- One line per member object of the extension: what it is and how it is
-- defined, so that two installations compare as two sets of lines.
CREATE TEMP VIEW extension_catalog AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' :: ' ||
       coalesce(CASE
           WHEN d.classid = 'pg_proc'::regclass AND p.prokind = 'a' THEN
               format('aggregate sfunc=%s stype=%s combine=%s final=%s finalextra=%s modify=%s init=%s parallel=%s',
                      a.aggtransfn::regprocedure, a.aggtranstype::regtype, a.aggcombinefn::regprocedure,
                      a.aggfinalfn::regprocedure, a.aggfinalextra, a.aggfinalmodify, a.agginitval, p.proparallel)
           WHEN d.classid = 'pg_proc'::regclass THEN pg_get_functiondef(d.objid)
           WHEN d.classid = 'pg_type'::regclass THEN
               format('type %s in=%s out=%s recv=%s send=%s len=%s align=%s storage=%s fields=(%s)',
                      t.typtype, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typlen, t.typalign, t.typstorage,
                      (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                       FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped))
       END, '') || ' :: ' ||
       coalesce(obj_description(d.objid, d.classid::regclass::name), '(no comment)') AS line
FROM pg_depend AS d
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
LEFT JOIN pg_proc AS p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_aggregate AS a ON a.aggfnoid = p.oid
LEFT JOIN pg_type AS t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
WHERE e.extname = 'saas_metrics' AND d.deptype = 'e';

CREATE TEMP TABLE updated AS
SELECT line FROM dblink(format('dbname=saas_metrics_from_0_1_0 host=%s port=%s',
                               split_part(current_setting('unix_socket_directories'), ',', 1),
                               current_setting('port')),
                        'SELECT line FROM (' || rtrim(pg_get_viewdef('extension_catalog'), ';') || ') v') AS t(line text);

SELECT is((SELECT extversion FROM dblink(format('dbname=saas_metrics_from_0_1_0 host=%s port=%s',
                                                split_part(current_setting('unix_socket_directories'), ',', 1),
                                                current_setting('port')),
                                         $$SELECT extversion FROM pg_extension WHERE extname = 'saas_metrics'$$) AS t(extversion text)),
          (SELECT extversion FROM pg_extension WHERE extname = 'saas_metrics'),
          'updated from 0.1.0 to the default version');
SELECT cmp_ok((SELECT count(*) FROM updated), '>', 80::bigint, 'the catalog query sees the objects');
SELECT bag_eq('SELECT line FROM updated', 'SELECT line FROM extension_catalog',
              'updated from 0.1.0: the same objects, definitions and comments as a fresh install');

-- values stored under 0.1.0 of the types whose format did not change still read
SELECT is((SELECT t FROM dblink(format('dbname=saas_metrics_from_0_1_0 host=%s port=%s',
                                       split_part(current_setting('unix_socket_directories'), ',', 1),
                                       current_setting('port')),
                                $$SELECT format('%s %s %s', nps, round(nps(nps)::numeric, 6), round((sbg_model).alpha::numeric, 3)) FROM stored$$) AS r(t text)),
          'promoters=2 passives=2 detractors=7 -45.454545 0.704',
          'nps_summary and sbg_model stored under 0.1.0 read after the update');

-- a subscription_book stored under 0.1.0 (period numbers, not days) is
-- refused with an error that says to rebuild it
SELECT throws_ok(format($$SELECT * FROM dblink(%L, 'SELECT count(*) FROM stored_book, mrr_movements(book)') AS t(n bigint)$$,
                        format('dbname=saas_metrics_from_0_1_0 host=%s port=%s',
                               split_part(current_setting('unix_socket_directories'), ',', 1),
                               current_setting('port'))),
                 '0A000', 'this subscription_book was made by saas_metrics 0.1.0 and cannot be read',
                 'a book stored under 0.1.0 is refused after the update, with a hint to rebuild it');

SELECT * FROM finish();
ROLLBACK;
\c saas_metrics_from_0_1_0
\c :tap_db
DROP DATABASE saas_metrics_from_0_1_0;
