/*
 * compat_0_1_0.c
 *		Entry points that only the install script of version 0.1.0 names.
 *
 * ALTER EXTENSION saas_metrics UPDATE starts from the objects of the
 * installed version, and CREATE EXTENSION ... VERSION '0.1.0' (the first
 * step of every update path from it) needs each C function its script
 * declares to exist in this library.  The update to 0.2.0 drops the objects
 * that use these; until then, calling one says what to do.
 */
#include "postgres.h"

#include "fmgr.h"

static void
replaced_in_0_2_0(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s belongs to saas_metrics 0.1.0, whose library is no longer installed", name),
			 errhint("Run ALTER EXTENSION saas_metrics UPDATE.")));
}

/* the 0.1.0 transition function, polymorphic in the customer id */
PG_FUNCTION_INFO_V1(subscription_book_add);
Datum
subscription_book_add(PG_FUNCTION_ARGS)
{
	replaced_in_0_2_0("subscription_book_add");
	PG_RETURN_NULL();
}
