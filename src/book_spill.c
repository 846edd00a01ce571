/*
 * book_spill.c
 *		A log larger than saas_metrics.max_memory, written to temporary files
 *		as sorted runs and read back as a stream.
 *
 * A book's log and the images of its text or uuid ids are kept within
 * saas_metrics.max_memory.  When growing the
 * log or the arena would pass it, the log is sorted by customer, as
 * flattening does (book_flat.c), a windowed shorthand's history is
 * summarised (book_history.c), and the log is written to a temporary file
 * as a run: its customers in (hash, id) order, each as a RunRecord, the
 * image of its id, its rows as the flat form holds them and, for a customer
 * whose rows have scales of their own (book.h), their scales.  The log then
 * starts again, empty, in the same memory.  This is what PostgreSQL's own
 * sorts do with work_mem: the same rows in, the same answers out, at the
 * price of writing and reading them once more.
 *
 * Runs merge like flat books (book_stream.c).  So that a read never holds
 * more than a bounded number of files open, runs of the same level merge,
 * FAN_IN at a time, into one run of the next level, as soon as there are
 * that many: a read merges fewer than fan-in runs of each level, each
 * through one BLCKSZ buffer, and every row is written O(log rows) times.
 *
 * Which books spill: the states of aggregates (AGG_CONTEXT_AGGREGATE), not
 * of window aggregates, whose state stays readable between rows.  A
 * shorthand's final function reads the runs as a stream; everything else
 * that needs the flat form merges them into it (subscription_book_agg's
 * result, a parallel worker's state on its way to the leader, a Citus
 * worker's), which must still fit in 1 GB.
 *
 * The files belong to the query's resource owner, which deletes them if the
 * query fails; otherwise they are closed, and deleted, by a callback of the
 * aggregate when its state is reset or the query ends.
 *
 * A partial aggregate's book (a parallel worker's, or the leader's own part
 * of the scan) must reach the leader's combine function as one datum, at
 * most 1 GB.  So once it has spilled it does not merge its runs into a flat
 * book: its runs are files of the query's file set (storage/fileset.h, in
 * a directory named after the leader's pid), and its flat form is a header
 * that names them (BOOK_RUNS_ELSEWHERE).  The leader's combine function
 * opens them (sm_book_adopt_runs) and reads them as runs of its own book:
 * no process ever holds a large book in memory, and none is limited to
 * 1 GB.  Being files of the query, they can also be read by the workers
 * the leader launches to walk them in parts (book_walk_parallel.c).  The leader deletes the files it adopted when its aggregate ends
 * or fails; the directory goes at the end of the leader's transaction, with
 * the files of a worker whose query failed before the leader adopted them.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "common/relpath.h"
#include "executor/nodeAgg.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "storage/fd.h"
#include "storage/fileset.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "utils/memutils.h"

#include "book_stream.h"

/* saas_metrics.max_memory, in kB: the memory of one book's log */
int			sm_book_max_memory = 512 * 1024;

/*
 * A customer in a run; its id image (text, uuid), its rows and, with
 * own_scales, their scales follow.
 */
typedef struct RunRecord
{
	uint32		hash;
	int32		first_start;
	int32		nrows;
	uint8		scale;
	uint8		own_scales;
	uint8		padding[2];
	int64		key;			/* the bigint id, or the length of the image */
} RunRecord;

/* The file set of a query's handed-on runs: this number, the leader's pid. */
#define HANDOFF_FILESET_NUMBER 0x5AA5B00C

typedef struct Run
{
	BufFile    *file;			/* NULL once closed */
	int			level;			/* merged from FAN_IN runs of level - 1 */
	FileSet    *fileset;		/* NULL: a private temporary file */
	char		name[RUN_NAME_LEN]; /* in fileset */
	bool		deleted;
	bool		borrowed;		/* handed on within this process: the sweep's
								 * to delete, as its producer may hand it on
								 * again (a rescanned hash aggregate) */
	/* what it holds: customers, rows, bytes of id images (MAXALIGNed) */
	int64		ncustomers;
	int64		nrows;
	int64		arena;
} Run;

struct BookRuns
{
	Run		   *runs;			/* levels in descending order */
	int			nruns;
	int			maxruns;
	int			max_scale;		/* of the customers written */
	bool		cleanup_registered;
	BufFile   **files;			/* the runs' files, for a stream */
	FileSet		fileset;		/* of runs handed on to the leader */
	bool		fileset_ready;
	/* what the runs hold, as the Run fields (adopted runs: their total) */
	int64		ncustomers;
	int64		nrows;
	int64		arena;
	MemoryContextCallback adopted_cleanup;	/* once it adopted runs */
};

/* What a handed-on book's flat form holds after its header: its runs. */
typedef struct HandoffRuns
{
	FileSet		fileset;
	int32		producer_pid;
	int64		ncustomers;		/* what the runs hold, as the Run fields */
	int64		nrows;
	int64		arena;
	int32		nruns;
	char		names[FLEXIBLE_ARRAY_MEMBER][RUN_NAME_LEN];
} HandoffRuns;

/* In a leader: its query file set may exist, to be swept when the transaction ends. */
static bool sweep_due = false;

static Size
budget_bytes(void)
{
	return (Size) sm_book_max_memory * 1024;
}

/* Runs merged at once: each costs a buffer of BLCKSZ and its customer's rows. */
static int
fan_in(void)
{
	return (int) Max(4, Min(256, budget_bytes() / (4 * BLCKSZ)));
}

/*
 * Whether a log of log_rows rows and an arena of arena_bytes pass the
 * budget (the log is sorted in place, book_flat.c).
 */
bool
sm_book_over_budget(int64 log_rows, Size arena_bytes)
{
	return log_rows * sizeof(BookLogRow) + arena_bytes > budget_bytes();
}

/*
 * How this call of a transition function lets its book spill: not at all
 * (a window aggregate), to private temporary files, or, in a partial
 * aggregate, to the query's file set for the leader (see the file header).
 */
void
sm_book_set_spill(Book *book, FunctionCallInfo fcinfo)
{
	if (book->spill_decided)
		return;
	book->spill_decided = true;
	book->may_spill = AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE;
	book->spill_to_leader = book->may_spill &&
		DO_AGGSPLIT_SERIALIZE(((AggState *) fcinfo->context)->aggsplit);
	/* a leader sweeps its query's file set even if a worker fails first */
	if (book->spill_to_leader)
		sm_book_expect_handoffs();
}

/* The query's file set of handed-on runs: the leader's pid names it. */
static void
handoff_fileset(FileSet *fileset)
{
	PGPROC	   *leader = MyProc->lockGroupLeader;

	FileSetInit(fileset);
	fileset->creator_pid = leader ? leader->pid : MyProcPid;
	fileset->number = HANDOFF_FILESET_NUMBER;
}

/*
 * In a leader (a partial aggregate's transition, any combine call): its
 * query's file set may hold runs, which go when the transaction ends.
 */
void
sm_book_expect_handoffs(void)
{
	if (!IsParallelWorker())
		sweep_due = true;
}

/*
 * Delete this backend's query file set in every temporary directory: the
 * default tablespace's and each tablespace's, found on disk, as PostgreSQL
 * finds temporary files at startup, so without the catalog (the
 * transaction is ending) and whatever temp_tablespaces were.
 */
static void
sweep_query_filesets(void)
{
	char		path[MAXPGPATH];
	DIR		   *dir;
	struct dirent *entry;

	snprintf(path, sizeof(path), "base/%s/%s%d.%u.fileset",
			 PG_TEMP_FILES_DIR, PG_TEMP_FILE_PREFIX, MyProcPid, HANDOFF_FILESET_NUMBER);
	PathNameDeleteTemporaryDir(path);
	dir = AllocateDir("pg_tblspc");
	while ((entry = ReadDirExtended(dir, "pg_tblspc", LOG)) != NULL)
	{
		if (strspn(entry->d_name, "0123456789") != strlen(entry->d_name))
			continue;
		snprintf(path, sizeof(path), "pg_tblspc/%s/%s/%s/%s%d.%u.fileset",
				 entry->d_name, TABLESPACE_VERSION_DIRECTORY, PG_TEMP_FILES_DIR,
				 PG_TEMP_FILE_PREFIX, MyProcPid, HANDOFF_FILESET_NUMBER);
		PathNameDeleteTemporaryDir(path);
	}
	FreeDir(dir);
}

static void
sweep_at_transaction_end(XactEvent event, void *arg pg_attribute_unused())
{
	if (sweep_due &&
		(event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE))
	{
		sweep_due = false;
		sweep_query_filesets();
	}
}

/* And when the backend exits, whatever it expected: nothing is left for a restart. */
static void
sweep_at_exit(int code pg_attribute_unused(), Datum arg pg_attribute_unused())
{
	if (!IsParallelWorker())
		sweep_query_filesets();
}

void
sm_book_spill_init(void)
{
	RegisterXactCallback(sweep_at_transaction_end, NULL);
	on_proc_exit(sweep_at_exit, (Datum) 0);
}

/* What a book's runs hold at most: customers, rows, bytes of id images. */
void
sm_book_runs_bound(const Book *book, int64 *customers, int64 *rows, int64 *arena)
{
	*customers = book->runs ? book->runs->ncustomers : 0;
	*rows = book->runs ? book->runs->nrows : 0;
	*arena = book->runs ? book->runs->arena : 0;
}

bool
sm_book_has_runs(const Book *book)
{
	return book->runs != NULL && book->runs->nruns > 0;
}

int
sm_book_runs_max_scale(const Book *book)
{
	return book->runs ? book->runs->max_scale : 0;
}

/* Write len bytes to a run's file, then zeros up to MAXALIGN. */
static void
run_write_aligned(Run *run, const void *bytes, Size len)
{
	static const char padding[MAXIMUM_ALIGNOF] = {0};

	BufFileWrite(run->file, (void *) bytes, len);
	if (MAXALIGN(len) > len)
		BufFileWrite(run->file, (void *) padding, MAXALIGN(len) - len);
}

/*
 * Write a customer to a run, whose counts grow.  Its record: a RunRecord,
 * the image of its id (text, uuid) padded to MAXALIGN, its rows, and its
 * row scales if they have their own, padded too.  So every record starts
 * aligned, and a reader uses it where it lies in its buffer.
 */
static void
run_write_customer(Run *run, BookKeyKind kind, const BookCustomer *customer,
				   const char *arena, const BookRow *rows, const uint8 *row_scales)
{
	RunRecord	record;
	Size		image_len = kind == BOOK_KEY_BIGINT ? 0 :
		sm_key_image_size(kind, arena + customer->key);

	memset(&record, 0, sizeof(record));
	record.hash = customer->hash;
	record.first_start = customer->first_start;
	record.nrows = customer->nrows;
	record.scale = customer->scale;
	record.own_scales = customer->own_scales;
	record.key = kind == BOOK_KEY_BIGINT ? customer->key : (int64) image_len;
	BufFileWrite(run->file, &record, sizeof(record));
	if (image_len > 0)
		run_write_aligned(run, arena + customer->key, image_len);
	BufFileWrite(run->file, (void *) rows, customer->nrows * sizeof(BookRow));
	if (customer->own_scales)
		run_write_aligned(run, row_scales, customer->nrows);
	run->ncustomers++;
	run->nrows += customer->nrows;
	run->arena += MAXALIGN(image_len);
}

#define RUN_READ_BUFFER (64 * 1024)

/*
 * At least need bytes of the run in the source's buffer from read_pos on,
 * reading more; false if the run ends first.
 */
static bool
run_fill(StreamSource *source, Size need)
{
	Size		available = source->read_len - source->read_pos;

	if (available >= need)
		return true;
	if (source->read_buffer == NULL || need > source->read_capacity)
	{
		Size		capacity = Max(need, Max(2 * source->read_capacity, RUN_READ_BUFFER));
		char	   *buffer = MemoryContextAllocHuge(source->cxt, capacity);

		if (source->read_buffer)
		{
			memcpy(buffer, source->read_buffer + source->read_pos, available);
			pfree(source->read_buffer);
		}
		source->read_buffer = buffer;
		source->read_capacity = capacity;
	}
	else
		memmove(source->read_buffer, source->read_buffer + source->read_pos, available);
	source->read_len = available;
	source->read_pos = 0;
	while (source->read_len < need)
	{
		size_t		got = BufFileRead(source->file, source->read_buffer + source->read_len,
									  source->read_capacity - source->read_len);

		if (got == 0)
			break;
		source->read_len += got;
	}
	return source->read_len >= need;
}

static void
run_truncated(void)
{
	ereport(ERROR,
			(errcode_for_file_access(),
			 errmsg("could not read from a subscription book's temporary file: it ends inside a customer")));
}

/* The next customer of a run into its source; false at the end of the run. */
bool
sm_run_read_customer(StreamSource *source, BookKeyKind kind)
{
	const RunRecord *record;
	Size		image_len;
	Size		rows_len;
	Size		size;

	if (!run_fill(source, sizeof(RunRecord)))
	{
		if (source->read_len > source->read_pos)
			run_truncated();
		return false;
	}
	record = (const RunRecord *) (source->read_buffer + source->read_pos);
	image_len = kind == BOOK_KEY_BIGINT ? 0 : MAXALIGN(record->key);
	rows_len = (Size) record->nrows * sizeof(BookRow);
	size = sizeof(RunRecord) + image_len + rows_len +
		(record->own_scales ? MAXALIGN(record->nrows) : 0);
	if (!run_fill(source, size))
		run_truncated();
	/* the buffer may have moved */
	record = (const RunRecord *) (source->read_buffer + source->read_pos);
	source->run_customer = (BookCustomer)
	{
		.key = kind == BOOK_KEY_BIGINT ? record->key : 0,
			.hash = record->hash,.first_start = record->first_start,
			.nrows = record->nrows,.scale = record->scale,.own_scales = record->own_scales
	};
	source->customer = &source->run_customer;
	source->arena = kind == BOOK_KEY_BIGINT ? NULL : (const char *) (record + 1);
	source->rows = (const BookRow *) ((const char *) (record + 1) + image_len);
	source->row_scales = record->own_scales ? (const uint8 *) source->rows + rows_len : NULL;
	source->read_pos += size;
	return true;
}

/*
 * A new run's file, in the book's memory context: a private temporary file,
 * or a file of the query's file set when the run goes to the leader.
 */
static Run
run_file(Book *book, int level)
{
	static uint32 nfiles = 0;
	MemoryContext old = MemoryContextSwitchTo(book->hdr.eoh_context);
	BookRuns   *runs = book->runs;
	Run			run = {.level = level};

	if (book->spill_to_leader)
	{
		if (!runs->fileset_ready)
		{
			handoff_fileset(&runs->fileset);
			runs->fileset_ready = true;
		}
		run.fileset = &runs->fileset;
		snprintf(run.name, RUN_NAME_LEN, "book.%d.%u", MyProcPid, nfiles++);
		run.file = BufFileCreateFileSet(run.fileset, run.name);
	}
	else
		run.file = BufFileCreateTemp(false);
	MemoryContextSwitchTo(old);
	return run;
}

static void
add_run(Book *book, Run run)
{
	BookRuns   *runs = book->runs;

	runs->ncustomers += run.ncustomers;
	runs->nrows += run.nrows;
	runs->arena += run.arena;

	if (runs->nruns == runs->maxruns)
	{
		runs->maxruns = Max(2 * runs->maxruns, 8);
		runs->runs = runs->runs ?
			repalloc(runs->runs, runs->maxruns * sizeof(Run)) :
			MemoryContextAlloc(book->hdr.eoh_context, runs->maxruns * sizeof(Run));
	}
	runs->runs[runs->nruns++] = run;
}

/*
 * Delete a closed run's file of a file set, unless it is borrowed (its
 * producer in this process may hand it on again: the sweep deletes it).
 */
static void
delete_run_file(Run *run)
{
	if (run->fileset && !run->deleted && !run->borrowed)
		BufFileDeleteFileSet(run->fileset, run->name, true);
	run->deleted = true;
}

/* Close a run's file, and delete it (a private one is deleted by closing). */
static void
drop_run(BookRuns *runs, Run *run)
{
	runs->ncustomers -= run->ncustomers;
	runs->nrows -= run->nrows;
	runs->arena -= run->arena;
	run->ncustomers = run->nrows = run->arena = 0;
	if (run->file)
		BufFileClose(run->file);
	run->file = NULL;
	delete_run_file(run);
}

/* A stream written out as a new run of the given level. */
static Run
write_run(Book *book, BookStream *stream, int level)
{
	Run			run = run_file(book, level);

	for (int64 k = 0; sm_stream_next(stream); k++)
	{
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		run_write_customer(&run, book->key_kind, &stream->customer, stream->arena, stream->rows,
						   stream->row_scales);
	}
	book->runs->max_scale = Max(book->runs->max_scale, stream->max_scale);
	return run;
}

/* Merge the runs from first on into one run of the next level. */
static void
merge_runs(Book *book, int first)
{
	BookRuns   *runs = book->runs;
	int			n = runs->nruns - first;
	BufFile   **files = palloc(n * sizeof(BufFile *));
	BookStream *stream;
	Run			merged;

	for (int i = 0; i < n; i++)
		files[i] = runs->runs[first + i].file;
	stream = sm_stream_begin(book->key_kind, NULL, 0, files, n, NULL);
	merged = write_run(book, stream, runs->runs[first].level + 1);
	sm_stream_end(stream);
	for (int i = first; i < runs->nruns; i++)
		drop_run(runs, &runs->runs[i]);
	pfree(files);
	runs->nruns = first;
	add_run(book, merged);
}

/*
 * Write the log as a run and empty it (its memory is kept for the rows to
 * come); runs of the same level merge once there are fan-in of them.
 */
void
sm_book_spill_log(Book *book)
{
	BookRuns   *runs;
	int			fan = fan_in();
	BookStream *stream;
	Run			run;

	if (book->runs == NULL)
		book->runs = MemoryContextAllocZero(book->hdr.eoh_context, sizeof(BookRuns));
	runs = book->runs;
	sm_book_sort_log(book);
	sm_book_summarise_history(book);
	/* the sorted log, each customer's rows as the flat form holds them */
	stream = sm_stream_begin(book->key_kind, NULL, 0, NULL, 0, book);
	run = write_run(book, stream, 0);
	sm_stream_end(stream);
	add_run(book, run);
	book->nlog = 0;
	book->arena_len = 0;
	/* an arena grown past the budget by one long id would make every later row spill */
	if (book->arena_max > budget_bytes() / 2)
	{
		pfree(book->arena);
		book->arena = NULL;
		book->arena_max = 0;
	}
	for (;;)
	{
		int			first = runs->nruns;

		while (first > 0 && runs->runs[first - 1].level == runs->runs[runs->nruns - 1].level)
			first--;
		if (runs->nruns - first < fan)
			break;
		merge_runs(book, first);
	}
}

/* The open files of a book's runs. */
void
sm_book_runs_files(Book *book, BufFile ***files, int *nfiles)
{
	BookRuns   *runs = book->runs;

	*files = NULL;
	*nfiles = 0;
	if (runs == NULL)
		return;
	if (runs->files)
		pfree(runs->files);
	runs->files = MemoryContextAlloc(book->hdr.eoh_context, Max(runs->nruns, 1) * sizeof(BufFile *));
	for (int i = 0; i < runs->nruns; i++)
		if (runs->runs[i].file)
			runs->files[(*nfiles)++] = runs->runs[i].file;
	*files = runs->files;
}

/*
 * When the aggregate's state is reset or the query ends: its runs closed
 * and deleted, except those handed on to the leader.
 */
static void
close_runs(Datum arg)
{
	Book	   *book = (Book *) DatumGetPointer(arg);

	for (int i = 0; i < book->runs->nruns; i++)
		if (book->runs->runs[i].file)
			drop_run(book->runs, &book->runs->runs[i]);
}

/* Close the book's runs when the aggregate's state is reset (once it has some). */
void
sm_book_register_run_cleanup(FunctionCallInfo fcinfo, Book *book)
{
	if (book->runs == NULL || book->runs->cleanup_registered)
		return;
	AggRegisterCallback(fcinfo, close_runs, PointerGetDatum(book));
	book->runs->cleanup_registered = true;
}

/*
 * A partial aggregate's spilled book as it leaves for the leader: its
 * header, and the names of its runs, closed (so written out) and left to
 * the leader.
 */
BookFlat *
sm_book_handoff(Book *book)
{
	BookRuns   *runs;
	HandoffRuns *handoff;
	BookFlat   *flat;
	Size		arena_len;
	int32		n = 0;

	if (book->nlog > 0)
		sm_book_spill_log(book);
	runs = book->runs;
	arena_len = MAXALIGN(offsetof(HandoffRuns, names) + runs->nruns * RUN_NAME_LEN);
	flat = MemoryContextAllocZero(book->hdr.eoh_context, MAXALIGN(sizeof(BookFlat)) + arena_len);
	SET_VARSIZE(flat, MAXALIGN(sizeof(BookFlat)) + arena_len);
	sm_book_header(book, flat);
	flat->flags |= BOOK_RUNS_ELSEWHERE;
	flat->max_scale = (uint8) runs->max_scale;
	flat->arena_len = arena_len;
	handoff = (HandoffRuns *) BOOK_ARENA(flat);
	handoff->fileset = runs->fileset;
	handoff->producer_pid = MyProcPid;
	handoff->ncustomers = runs->ncustomers;
	handoff->nrows = runs->nrows;
	handoff->arena = runs->arena;
	for (int i = 0; i < runs->nruns; i++)
	{
		Run		   *run = &runs->runs[i];

		if (run->deleted)
			continue;
		if (run->file)
			BufFileClose(run->file);
		run->file = NULL;
		memcpy(handoff->names[n++], run->name, RUN_NAME_LEN);
	}
	handoff->nruns = n;
	return flat;
}

/*
 * The runs of a book as other processes of the query can open them, into
 * runs (room for maxruns): their number, or -1 if it has a private run, a
 * log, or more runs.  A parallel leader's book has only such runs, and the
 * flat parts of the partial aggregates too small to hand on runs.
 */
int
sm_book_shared_runs(const Book *book, SharedRun *runs, int maxruns)
{
	int			n = 0;

	if (book->nlog > 0)
		return -1;
	for (int i = 0; book->runs && i < book->runs->nruns; i++)
	{
		const Run  *run = &book->runs->runs[i];

		if (run->deleted)
			continue;
		if (run->fileset == NULL || run->file == NULL || n == maxruns)
			return -1;
		runs[n].fileset = *run->fileset;
		memcpy(runs[n].name, run->name, RUN_NAME_LEN);
		n++;
	}
	return n;
}

/* A run another process of the query wrote (run lives as long as the file). */
BufFile *
sm_shared_run_open(SharedRun *run)
{
	return BufFileOpenFileSet(&run->fileset, run->name, O_RDONLY, false);
}

/* When an adopting book's memory goes, on error too: the files it adopted. */
static void
delete_adopted_runs(void *arg)
{
	BookRuns   *runs = (BookRuns *) arg;

	/* on error they were closed by the resource owner */
	for (int i = 0; i < runs->nruns; i++)
		delete_run_file(&runs->runs[i]);
}

/*
 * The leader's combine function takes the runs a partial aggregate handed
 * on (flat is its header) as runs of its own book, to be read with them
 * and deleted with it.
 */
void
sm_book_adopt_runs(FunctionCallInfo fcinfo, Book *book, const BookFlat *flat)
{
	const HandoffRuns *handoff = (const HandoffRuns *) BOOK_ARENA(flat);
	MemoryContext old;
	FileSet    *fileset;

	if ((Size) flat->arena_len < offsetof(HandoffRuns, names) ||
		(Size) flat->arena_len < offsetof(HandoffRuns, names) + (Size) handoff->nruns * RUN_NAME_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid subscription book: a partial aggregate's runs are not named")));
	sm_book_expect_handoffs();
	if (book->runs == NULL)
	{
		book->runs = MemoryContextAllocZero(book->hdr.eoh_context, sizeof(BookRuns));
		book->runs->adopted_cleanup.func = delete_adopted_runs;
		book->runs->adopted_cleanup.arg = book->runs;
		MemoryContextRegisterResetCallback(book->hdr.eoh_context, &book->runs->adopted_cleanup);
	}
	book->runs->max_scale = Max(book->runs->max_scale, flat->max_scale);
	book->runs->ncustomers += handoff->ncustomers;
	book->runs->nrows += handoff->nrows;
	book->runs->arena += handoff->arena;
	old = MemoryContextSwitchTo(book->hdr.eoh_context);
	fileset = palloc(sizeof(FileSet));
	*fileset = handoff->fileset;
	for (int32 i = 0; i < handoff->nruns; i++)
	{
		Run			run = {.fileset = fileset,.borrowed = handoff->producer_pid == MyProcPid};

		memcpy(run.name, handoff->names[i], RUN_NAME_LEN);
		run.name[RUN_NAME_LEN - 1] = '\0';
		run.file = BufFileOpenFileSet(fileset, run.name, O_RDONLY, false);
		add_run(book, run);
	}
	MemoryContextSwitchTo(old);
	sm_book_register_run_cleanup(fcinfo, book);
}
