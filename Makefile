EXTENSION = saas_metrics
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = saas_metrics
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script of the version under development is assembled from one
# file per concept; the numeric prefixes give the order (types before the
# functions that use them).  Its upgrade script from the last release is
# sql/updates/<old>--<new>.sql (what changes in existing objects) followed by
# the parts whose first line is "-- new in <new>" (objects that are new).
# The scripts of released versions are committed as they shipped.
SQL_PARTS = $(sort $(wildcard sql/parts/*.sql))
PREVIOUS_VERSION = 0.1.0
NEW_PARTS = $(shell grep -l -x -- '-- new in $(EXTVERSION)' $(SQL_PARTS))
UPDATE = sql/updates/$(PREVIOUS_VERSION)--$(EXTVERSION).sql

DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql sql/$(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# pg_regress runs test/sql/<name>.sql and compares with expected/<name>.out:
# PG 15's pg_regress looks in <outputdir>/sql/ and <outputdir>/expected/
# before <inputdir>/sql/ and <inputdir>/expected/, so with --outputdir=. the
# top-level expected/ wins and no test may share a name with a file in sql/
# (install script parts therefore live in sql/parts/).
REGRESS = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test --outputdir=. --load-extension=$(EXTENSION)

# Warning-free with -Wall -Wextra.  The server headers are included as
# system headers (their inline functions have unused parameters, which
# -Wextra would report as ours); -isystem overrides PGXS's -I for that path.
PG_CFLAGS = -Wall -Wextra
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
ifdef WERROR
PG_CFLAGS += -Werror
endif

PG_CONFIG ?= pg_config
PGXS := $(shell command -v $(PG_CONFIG) >/dev/null 2>&1 && $(PG_CONFIG) --pgxs)
ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck:
	@echo "pg_config not found: run 'make deps' (or 'make demo' / 'make test', which do it) first" >&2
	@exit 1
endif

# Every object depends on every header (PGXS tracks no header dependencies).
$(OBJS): $(wildcard src/*.h)

sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) $(EXTENSION).control
	cat $(SQL_PARTS) > $@

sql/$(EXTENSION)--$(PREVIOUS_VERSION)--$(EXTVERSION).sql: $(UPDATE) $(SQL_PARTS) $(EXTENSION).control
	cat $(UPDATE) $(NEW_PARTS) > $@

.PHONY: deps demo demo-stop test bench bench-scale test-citus bench-citus fuzz test-valgrind
deps:
	scripts/deps.sh
demo:
	scripts/demo.sh
demo-stop:
	scripts/demo.sh stop
test:
	scripts/test.sh
bench:
	scripts/bench.sh
# Not part of bench: 7 to 30 minutes (BENCHMARKS.md, "Scale (issue 14)").
bench-scale:
	BENCH_ONLY=scale scripts/bench.sh
# Not part of test: needs Citus in the system PostgreSQL (docs/citus.md).
test-citus:
	scripts/test_citus.sh
# What travels to the coordinator in each query shape (docs/citus.md).
bench-citus:
	scripts/test_citus.sh transfer
fuzz:
	scripts/fuzz.sh
test-valgrind:
	scripts/test_valgrind.sh
