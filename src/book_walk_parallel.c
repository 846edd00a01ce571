/*
 * book_walk_parallel.c
 *		A parallel leader's book walked by several processes at once.
 *
 * After its Gather, the leader of a parallel plan holds a book whose parts
 * are its workers' runs, in the query's file set (book_spill.c).  Walking
 * it alone is the serial part of the plan: every customer read, merged and
 * walked by one process while the others are done.  But a reader's totals
 * add up over disjoint sets of customers (BookWalker), and every run lists
 * its customers in (hash, id) order, so ranges of the hash split the
 * customers into disjoint sets that each process reads from the same
 * files.  So the leader launches workers of its own (access/parallel.h, as
 * a parallel index build does), each participant walks one range into its
 * own totals in shared memory, and the leader adds them up.  The totals
 * are integers: the answer is the one-process walk's, bit for bit.
 *
 * Only a leader in parallel mode whose book is all in shared runs, of at
 * least PARALLEL_WALK_FROM_CUSTOMERS customers, does this, with up to
 * max_parallel_workers_per_gather workers; the ranges of workers that could
 * not be launched are walked by the leader, as one range.  A customer's
 * error (an MRR below zero) is the serial walk's, the first in hash order:
 * a worker that meets one leaves its range undone rather than raise it
 * (the leader would raise whichever came first), and the leader, which
 * walks the undone ranges in order once its own is done, raises it.
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "storage/shm_toc.h"

#include "reading.h"

#define WALK_KEY_SHARED UINT64CONST(0x5AA5BA1C00000001)
#define WALK_KEY_FLATS UINT64CONST(0x5AA5BA1C00000002)
#define WALK_KEY_PARTS UINT64CONST(0x5AA5BA1C00000003)

/* The walkers a worker may be asked to run, by their number here. */
static const BookWalker *const walkers[] = {&sm_movement_walker, &sm_cohort_walker};

/*
 * Fewer customers, counted once in every part that holds them, are walked
 * by the leader alone: workers take 5 to 10 ms to start, the time the
 * leader takes to walk 50,000 to 100,000 customers (make bench: at
 * 100,000 customers in three parts, the parallel plan took 44 ms walked in
 * parts and 36 ms walked by the leader alone).
 */
#define PARALLEL_WALK_FROM_CUSTOMERS (INT64CONST(1) << 18)

/* A book in more runs than this is walked by the leader alone. */
#define MAX_SHARED_RUNS 256

/*
 * So is a book whose flat parts, or a reading whose totals (one per
 * participant), would take more shared memory.
 */
#define MAX_SHARED_BYTES (64 * 1024 * 1024)

/* One participant's part: a range of hashes, walked into its totals. */
typedef struct WalkPart
{
	int			max_scale;		/* of the customers it met */
	bool		done;
} WalkPart;

/*
 * What every participant reads: the book's runs by name, and its flat
 * parts (the partial aggregates' too small to hand on runs), copied under
 * WALK_KEY_FLATS one after the other, each MAXALIGNed; the parts are under
 * WALK_KEY_PARTS.
 */
typedef struct WalkShared
{
	int			walker;			/* in walkers[] */
	BookReading reading;
	BookFlat	header;			/* of the book in parts (book_stream.c) */
	int			nparts;
	Size		part_size;		/* a WalkPart, then its totals */
	int			nflats;
	int			nruns;
	SharedRun	runs[FLEXIBLE_ARRAY_MEMBER];
} WalkShared;

typedef struct Walk
{
	WalkShared *shared;
	char	   *parts;
} Walk;

static WalkPart *
walk_part_of(const Walk *walk, int k)
{
	return (WalkPart *) (walk->parts + k * walk->shared->part_size);
}

static void *
part_totals(WalkPart *part)
{
	return (char *) part + MAXALIGN(sizeof(WalkPart));
}

/* Where part k's range of hashes starts (nparts: where the last one ends). */
static uint64
part_start(const WalkShared *shared, int k)
{
	return ((uint64) k << 32) / shared->nparts;
}

/*
 * Walk parts first .. end - 1 as one range, into part first's totals: the
 * customers whose hash is in those of the nparts equal ranges.
 */
static void
walk_parts(Timeline *tl, const Walk *walk, int first, int end)
{
	WalkShared *shared = walk->shared;
	WalkPart   *part = walk_part_of(walk, first);

	/* a worker may have left some totals of a range it did not finish */
	for (int k = first; k < end; k++)
		memset(part_totals(walk_part_of(walk, k)), 0, shared->part_size - MAXALIGN(sizeof(WalkPart)));
	sm_stream_limit(tl->stream, (uint32) part_start(shared, first), part_start(shared, end));
	walkers[shared->walker]->walk(tl, &shared->reading, part_totals(part));
	part->max_scale = tl->max_scale;
	part->done = true;
}

/*
 * Walk a book (tl's stream of it) into totals with the workers this leader
 * can launch; false, having done nothing, when it should be walked alone.
 */
bool
sm_walk_in_parallel(Book *book, Timeline *tl, const BookReading *reading,
					const BookWalker *walker, void *totals)
{
	int64		customers,
				rows,
				arena;
	SharedRun  *runs;
	int			nruns;
	int			nflats = 0;
	Size		flats_size = 0;
	int			nworkers = max_parallel_workers_per_gather;
	Size		totals_size = walker->totals_size(reading);
	Size		part_size = MAXALIGN(sizeof(WalkPart)) + MAXALIGN(totals_size);
	Size		shared_size;
	int			walker_number = -1;
	ParallelContext *pcxt;
	Walk		walk;
	char	   *flats;

	Assert(tl->stream != NULL);
	if (!IsInParallelMode() || IsParallelWorker() || nworkers <= 0)
		return false;
	sm_book_runs_bound(book, &customers, &rows, &arena);
	for (int i = 0; i < book->npending; i++)
	{
		if (book->pending[i]->ncustomers == 0)
			continue;			/* a handed-on book's header */
		customers += book->pending[i]->ncustomers;
		flats_size += MAXALIGN(VARSIZE(book->pending[i]));
		nflats++;
	}
	if (customers < PARALLEL_WALK_FROM_CUSTOMERS || flats_size > MAX_SHARED_BYTES ||
		(Size) (nworkers + 1) * part_size > MAX_SHARED_BYTES)
		return false;
	for (int i = 0; i < (int) lengthof(walkers); i++)
		if (walkers[i] == walker)
			walker_number = i;
	Assert(walker_number >= 0);
	runs = palloc(MAX_SHARED_RUNS * sizeof(SharedRun));
	if ((nruns = sm_book_shared_runs(book, runs, MAX_SHARED_RUNS)) < 0)
	{
		pfree(runs);
		return false;
	}

	pcxt = CreateParallelContext("saas_metrics", "sm_walk_worker_main", nworkers);
	shared_size = offsetof(WalkShared, runs) + nruns * sizeof(SharedRun);
	shm_toc_estimate_chunk(&pcxt->estimator, shared_size);
	shm_toc_estimate_chunk(&pcxt->estimator, Max(flats_size, 1));
	shm_toc_estimate_chunk(&pcxt->estimator, (nworkers + 1) * part_size);
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	InitializeParallelDSM(pcxt);
	if (pcxt->nworkers == 0)
	{
		/* no shared memory to be had */
		DestroyParallelContext(pcxt);
		pfree(runs);
		return false;
	}
	walk.shared = shm_toc_allocate(pcxt->toc, shared_size);
	walk.shared->walker = walker_number;
	walk.shared->reading = *reading;
	walk.shared->header = *tl->flat;
	walk.shared->nparts = nworkers + 1;
	walk.shared->part_size = part_size;
	walk.shared->nflats = nflats;
	walk.shared->nruns = nruns;
	memcpy(walk.shared->runs, runs, nruns * sizeof(SharedRun));
	shm_toc_insert(pcxt->toc, WALK_KEY_SHARED, walk.shared);
	flats = shm_toc_allocate(pcxt->toc, Max(flats_size, 1));
	for (int i = 0; i < book->npending; i++)
		if (book->pending[i]->ncustomers > 0)
		{
			memcpy(flats, book->pending[i], VARSIZE(book->pending[i]));
			flats += MAXALIGN(VARSIZE(book->pending[i]));
		}
	shm_toc_insert(pcxt->toc, WALK_KEY_FLATS, flats - flats_size);
	walk.parts = shm_toc_allocate(pcxt->toc, (nworkers + 1) * part_size);
	memset(walk.parts, 0, (nworkers + 1) * part_size);
	shm_toc_insert(pcxt->toc, WALK_KEY_PARTS, walk.parts);
	LaunchParallelWorkers(pcxt);
	ereport(DEBUG1,
			(errmsg_internal("saas_metrics: the book's customers are walked in %d parts", nworkers + 1)));

	/*
	 * The leader's part is the first; then, in order, those left undone: by
	 * a worker that met a customer's error, which the leader raises as the
	 * serial walk would, or for want of a worker (adjacent ones are walked
	 * as one range, rather than reading the runs up to each).
	 */
	walk_parts(tl, &walk, 0, 1);
	WaitForParallelWorkersToFinish(pcxt);
	pg_memory_barrier();
	for (int k = 1; k <= nworkers; k++)
	{
		int			end = k;

		while (end <= nworkers && !walk_part_of(&walk, end)->done)
			end++;
		if (end > k)
			walk_parts(tl, &walk, k, end);
		k = end;
	}

	for (int k = 0; k <= nworkers; k++)
	{
		WalkPart   *part = walk_part_of(&walk, k);

		walker->add(totals, part_totals(part), reading);
		tl->max_scale = Max(tl->max_scale, part->max_scale);
	}
	DestroyParallelContext(pcxt);
	pfree(runs);
	return true;
}

/* A worker's part: the runs opened by name, its range walked. */
PGDLLEXPORT void sm_walk_worker_main(dsm_segment *seg, shm_toc *toc);

void
sm_walk_worker_main(dsm_segment *seg pg_attribute_unused(), shm_toc *toc)
{
	Walk		walk;
	WalkShared *shared = shm_toc_lookup(toc, WALK_KEY_SHARED, false);
	char	   *flat = shm_toc_lookup(toc, WALK_KEY_FLATS, false);
	BookFlat  **flats = palloc(Max(shared->nflats, 1) * sizeof(BookFlat *));
	BufFile   **files = palloc(Max(shared->nruns, 1) * sizeof(BufFile *));
	BookStream *stream;
	Timeline	tl;
	MemoryContext cxt = CurrentMemoryContext;

	walk.shared = shared;
	walk.parts = shm_toc_lookup(toc, WALK_KEY_PARTS, false);
	for (int i = 0; i < shared->nflats; i++)
	{
		flats[i] = (BookFlat *) flat;
		flat += MAXALIGN(VARSIZE(flat));
	}
	for (int i = 0; i < shared->nruns; i++)
		files[i] = sm_shared_run_open(&shared->runs[i]);
	stream = sm_stream_begin((BookKeyKind) shared->header.key_kind, flats, shared->nflats,
							 files, shared->nruns, NULL);
	sm_timeline_init(&tl, &shared->header, stream, shared->reading.zero_mrr);
	PG_TRY();
	{
		walk_parts(&tl, &walk, ParallelWorkerNumber + 1, ParallelWorkerNumber + 2);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/*
		 * A customer's error, an MRR below zero or a total out of range:
		 * the part stays undone, for the leader to raise it in order.
		 * Any other error (I/O, memory) reaches the leader as it is.
		 */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->elevel != ERROR ||
			(edata->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE &&
			 edata->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE))
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(edata);
	}
	PG_END_TRY();
	sm_stream_end(stream);
	for (int i = 0; i < shared->nruns; i++)
		BufFileClose(files[i]);
}
