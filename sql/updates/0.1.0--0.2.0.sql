-- saas_metrics 0.1.0 -> 0.2.0: changes to objects that 0.1.0 created.  The
-- objects new in 0.2.0 follow, from the install script parts marked
-- "-- new in 0.2.0" (see the Makefile).
\echo Use "ALTER EXTENSION saas_metrics UPDATE TO '0.2.0'" to load this file. \quit
