package alerts

import (
	"context"
	"math"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ScanInterval is how often the periodic abandonment scan runs.
const ScanInterval = time.Minute

// ScanArgs asks for the abandonment scan of every installed shop; it fans
// out into one ScanShopArgs job per shop.
type ScanArgs struct{}

// Kind names the job for River.
func (ScanArgs) Kind() string { return "alerts_scan" }

// ScanShopArgs asks for one shop's abandonment scan.
type ScanShopArgs struct {
	ShopID int64 `json:"shop_id"`
}

// Kind names the job for River.
func (ScanShopArgs) Kind() string { return "alerts_scan_shop" }

// InsertOpts allows one pending scan per shop at a time.
func (ScanShopArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// DeliverArgs asks for one immediate alert to be delivered.
type DeliverArgs struct {
	AlertID int64 `json:"alert_id"`
}

// Kind names the job for River.
func (DeliverArgs) Kind() string { return "alerts_deliver" }

// InsertOpts allows one delivery job per alert, ever.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DefaultMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DigestArgs asks for one digest to be delivered.
type DigestArgs struct {
	DigestID int64 `json:"digest_id"`
}

// Kind names the job for River.
func (DigestArgs) Kind() string { return "alerts_digest" }

// InsertOpts allows one delivery job per digest, ever.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DefaultMaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AddWorkers registers the alert workers.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &scanWorker{svc: s})
	river.AddWorker(w, &scanShopWorker{svc: s})
	river.AddWorker(w, &deliverWorker{svc: s})
	river.AddWorker(w, &digestWorker{svc: s})
}

// PeriodicJobs returns the periodic scan.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(ScanInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ScanArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// EnqueueScan queues a scan of every installed shop now.
func (s *Service) EnqueueScan(ctx context.Context) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	_, err = c.Insert(ctx, ScanArgs{}, nil)
	return err
}

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	svc *Service
}

// Work queues one scan job per installed shop.
func (w *scanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	ids, err := w.svc.cfg.Store.InstalledShopIDs(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	c, err := w.svc.client()
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: ScanShopArgs{ShopID: id}}
	}
	_, err = c.InsertMany(ctx, params)
	return err
}

type scanShopWorker struct {
	river.WorkerDefaults[ScanShopArgs]
	svc *Service
}

// Work scans one shop.
func (w *scanShopWorker) Work(ctx context.Context, job *river.Job[ScanShopArgs]) error {
	return w.svc.ScanShop(ctx, job.Args.ShopID)
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	svc *Service
}

// Work delivers one alert.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.svc.DeliverAlert(ctx, job.Args.AlertID, job.Attempt, job.MaxAttempts)
}

// NextRetry applies the tuned backoff.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return w.svc.nextRetry(job.Attempt)
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	svc *Service
}

// Work delivers one digest.
func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	return w.svc.DeliverDigest(ctx, job.Args.DigestID, job.Attempt, job.MaxAttempts)
}

// NextRetry applies the tuned backoff.
func (w *digestWorker) NextRetry(job *river.Job[DigestArgs]) time.Time {
	return w.svc.nextRetry(job.Attempt)
}

// nextRetry is when a failed attempt is retried. River schedules with the
// real clock, so this uses time.Now, not the injected one.
func (s *Service) nextRetry(attempt int) time.Time {
	if b := s.tune().Backoff; b != nil {
		return time.Now().Add(b(attempt))
	}
	return time.Now().Add(max(5*time.Second, time.Duration(math.Pow(float64(attempt), 4))*time.Second))
}
