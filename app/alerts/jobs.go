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

// AnomalyScanInterval is how often the step anomaly scan runs; a daily
// scan is implied, as the hourly one covers every day.
const AnomalyScanInterval = time.Hour

// AnomalyScanArgs asks for the step anomaly scan of every installed shop;
// it fans out into one AnomalyScanShopArgs job per shop.
type AnomalyScanArgs struct{}

// Kind names the job for River.
func (AnomalyScanArgs) Kind() string { return "anomalies_scan" }

// AnomalyScanShopArgs asks for one shop's step anomaly scan.
type AnomalyScanShopArgs struct {
	ShopID int64 `json:"shop_id"`
}

// Kind names the job for River.
func (AnomalyScanShopArgs) Kind() string { return "anomalies_scan_shop" }

// InsertOpts allows one pending anomaly scan per shop at a time.
func (AnomalyScanShopArgs) InsertOpts() river.InsertOpts { return ScanShopArgs{}.InsertOpts() }

// DeliverAnomalyArgs asks for one step anomaly to be delivered.
type DeliverAnomalyArgs struct {
	AnomalyID int64 `json:"anomaly_id"`
}

// Kind names the job for River.
func (DeliverAnomalyArgs) Kind() string { return "anomalies_deliver" }

// InsertOpts allows one delivery job per anomaly, ever.
func (DeliverAnomalyArgs) InsertOpts() river.InsertOpts { return DeliverArgs{}.InsertOpts() }

// AddWorkers registers the alert workers.
func (s *Service) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &scanWorker{svc: s})
	river.AddWorker(w, &scanShopWorker{svc: s})
	river.AddWorker(w, &deliverWorker{svc: s})
	river.AddWorker(w, &digestWorker{svc: s})
	river.AddWorker(w, &anomalyScanWorker{svc: s})
	river.AddWorker(w, &anomalyScanShopWorker{svc: s})
	river.AddWorker(w, &deliverAnomalyWorker{svc: s})
}

// PeriodicJobs returns the periodic scans: abandonment every
// ScanInterval, step anomalies every AnomalyScanInterval.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(ScanInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ScanArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(AnomalyScanInterval),
			func() (river.JobArgs, *river.InsertOpts) { return AnomalyScanArgs{}, nil },
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
	return w.svc.fanOut(ctx, func(id int64) river.JobArgs { return ScanShopArgs{ShopID: id} })
}

// fanOut queues the job args gives for each installed shop.
func (s *Service) fanOut(ctx context.Context, args func(shopID int64) river.JobArgs) error {
	ids, err := s.cfg.Store.InstalledShopIDs(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: args(id)}
	}
	_, err = c.InsertMany(ctx, params)
	return err
}

type anomalyScanWorker struct {
	river.WorkerDefaults[AnomalyScanArgs]
	svc *Service
}

// Work queues one anomaly scan job per installed shop.
func (w *anomalyScanWorker) Work(ctx context.Context, _ *river.Job[AnomalyScanArgs]) error {
	return w.svc.fanOut(ctx, func(id int64) river.JobArgs { return AnomalyScanShopArgs{ShopID: id} })
}

type anomalyScanShopWorker struct {
	river.WorkerDefaults[AnomalyScanShopArgs]
	svc *Service
}

// Work scans one shop for step anomalies at the service's clock.
func (w *anomalyScanShopWorker) Work(ctx context.Context, job *river.Job[AnomalyScanShopArgs]) error {
	_, err := w.svc.ScanAnomalies(ctx, job.Args.ShopID, w.svc.cfg.Now())
	return err
}

type deliverAnomalyWorker struct {
	river.WorkerDefaults[DeliverAnomalyArgs]
	svc *Service
}

// Work delivers one step anomaly.
func (w *deliverAnomalyWorker) Work(ctx context.Context, job *river.Job[DeliverAnomalyArgs]) error {
	return w.svc.DeliverAnomaly(ctx, job.Args.AnomalyID, job.Attempt, job.MaxAttempts)
}

// NextRetry applies the tuned backoff.
func (w *deliverAnomalyWorker) NextRetry(job *river.Job[DeliverAnomalyArgs]) time.Time {
	return w.svc.nextRetry(job.Attempt)
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
