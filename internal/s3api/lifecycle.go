package s3api

import (
	"context"
	"encoding/xml"
	"errors"
	"log/slog"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

// LifecycleConfiguration is a bucket's lifecycle configuration (S3's
// document). Expiration (Days or Date) and AbortIncompleteMultipartUpload
// are applied by [Sweeper]; other actions are stored but not applied.
type LifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Rules   []LifecycleRule `xml:"Rule"`
}

// LifecycleRule is one rule of a [LifecycleConfiguration].
type LifecycleRule struct {
	ID         string           `xml:"ID,omitempty"`
	Status     string           `xml:"Status"`
	Prefix     *string          `xml:"Prefix,omitempty"` // legacy form
	Filter     *LifecycleFilter `xml:"Filter,omitempty"`
	Expiration *struct {
		Days *int   `xml:"Days,omitempty"`
		Date string `xml:"Date,omitempty"`
	} `xml:"Expiration,omitempty"`
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation int `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload,omitempty"`
	Transitions []struct {
		Days         *int   `xml:"Days,omitempty"`
		Date         string `xml:"Date,omitempty"`
		StorageClass string `xml:"StorageClass"`
	} `xml:"Transition,omitempty"`
}

// LifecycleFilter selects the objects a rule applies to.
type LifecycleFilter struct {
	Prefix *string `xml:"Prefix,omitempty"`
	And    *struct {
		Prefix *string `xml:"Prefix,omitempty"`
	} `xml:"And,omitempty"`
}

// prefix returns the key prefix a rule applies to.
func (r *LifecycleRule) prefix() string {
	switch {
	case r.Filter != nil && r.Filter.Prefix != nil:
		return *r.Filter.Prefix
	case r.Filter != nil && r.Filter.And != nil && r.Filter.And.Prefix != nil:
		return *r.Filter.And.Prefix
	case r.Prefix != nil:
		return *r.Prefix
	}
	return ""
}

func (r *LifecycleRule) expirationDate() (time.Time, bool) {
	if r.Expiration == nil || r.Expiration.Date == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, r.Expiration.Date)
	return t, err == nil
}

// Validate checks the configuration: 1..1000 rules, Status Enabled or
// Disabled, at least one action, positive day counts, dates at midnight
// UTC in RFC 3339.
func (c *LifecycleConfiguration) Validate() error {
	if len(c.Rules) == 0 || len(c.Rules) > 1000 {
		return ErrMalformedXML
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return ErrMalformedXML
		}
		if r.Expiration == nil && r.AbortIncompleteMultipartUpload == nil && len(r.Transitions) == 0 {
			return ErrInvalidRequest.With("At least one action needs to be specified in a rule")
		}
		if e := r.Expiration; e != nil {
			if (e.Days == nil) == (e.Date == "") {
				return ErrMalformedXML
			}
			if e.Days != nil && *e.Days <= 0 {
				return ErrInvalidArgument.With("'Days' for Expiration action must be a positive integer")
			}
			if e.Date != "" {
				t, ok := r.expirationDate()
				if !ok || !t.Equal(t.Truncate(24*time.Hour)) {
					return ErrInvalidArgument.With("'Date' must be at midnight GMT")
				}
			}
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation <= 0 {
			return ErrInvalidArgument.With("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
	}
	return nil
}

// afterDays returns when something created at t is due after days days:
// t plus the days, rounded up to the next midnight UTC, as S3 does.
func afterDays(t time.Time, days int) time.Time {
	d := t.UTC().Add(time.Duration(days) * 24 * time.Hour)
	if m := d.Truncate(24 * time.Hour); !m.Equal(d) {
		return m.Add(24 * time.Hour)
	}
	return d
}

func (h *Handler) putLifecycle(q *request) error {
	return putBucketConfig[LifecycleConfiguration](h, q, ConfigLifecycle)
}

func (h *Handler) getLifecycle(q *request) error {
	return h.getBucketConfig(q, ConfigLifecycle, "LifecycleConfiguration", ErrNoSuchLifecycle)
}

func (h *Handler) deleteLifecycle(q *request) error {
	return h.deleteBucketConfig(q, ConfigLifecycle)
}

// Sweeper applies the lifecycle rules stored in Settings: it deletes
// objects past their rule's expiration and aborts multipart uploads older
// than their rule's DaysAfterInitiation.
type Sweeper struct {
	Store     r2.Store
	Multipart r2.Multipart
	Settings  *Settings
	Logger    *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Sweep makes one pass over every bucket with a lifecycle configuration
// and returns how many objects it deleted and uploads it aborted.
func (s *Sweeper) Sweep(ctx context.Context) (deleted, aborted int, err error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfgs, err := s.Settings.ConfiguredBuckets(ctx, ConfigLifecycle)
	if err != nil {
		return 0, 0, err
	}
	var errs []error
	for bucket, doc := range cfgs {
		var c LifecycleConfiguration
		if err := xml.Unmarshal(doc, &c); err != nil {
			errs = append(errs, err)
			continue
		}
		for i := range c.Rules {
			r := &c.Rules[i]
			if r.Status != "Enabled" {
				continue
			}
			t := now()
			if r.Expiration != nil {
				n, err := s.expire(ctx, bucket, r, t)
				deleted += n
				errs = append(errs, err)
			}
			if a := r.AbortIncompleteMultipartUpload; a != nil {
				ups, err := s.Multipart.ListMultipartUploads(ctx, bucket, r.prefix())
				if err != nil {
					errs = append(errs, err)
					continue
				}
				for _, u := range ups {
					if !afterDays(u.Initiated, a.DaysAfterInitiation).After(t) {
						if err := s.Multipart.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID); err != nil && !errors.Is(err, r2.ErrNoSuchUpload) {
							errs = append(errs, err)
							continue
						}
						aborted++
					}
				}
			}
		}
	}
	if deleted+aborted > 0 {
		log.Info("s3api: lifecycle sweep", "deleted", deleted, "aborted", aborted)
	}
	return deleted, aborted, errors.Join(errs...)
}

func (s *Sweeper) expire(ctx context.Context, bucket string, r *LifecycleRule, now time.Time) (int, error) {
	date, byDate := r.expirationDate()
	if byDate && date.After(now) {
		return 0, nil
	}
	deleted := 0
	opts := r2.ListOptions{Prefix: r.prefix(), Limit: r2.MaxListLimit}
	for {
		res, err := s.Store.List(ctx, bucket, opts)
		if err != nil {
			return deleted, err
		}
		var due []string
		for _, o := range res.Objects {
			if byDate || (r.Expiration.Days != nil && !afterDays(o.Uploaded, *r.Expiration.Days).After(now)) {
				due = append(due, o.Key)
			}
		}
		if len(due) > 0 {
			if err := s.Store.Delete(ctx, bucket, due...); err != nil {
				return deleted, err
			}
			deleted += len(due)
		}
		if !res.Truncated {
			return deleted, nil
		}
		opts.Cursor = res.Cursor
	}
}

// Run sweeps every interval until ctx is done, logging failures.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil && s.Logger != nil {
			s.Logger.Warn("s3api: lifecycle sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
