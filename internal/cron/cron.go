// Package cron parses Cloudflare Cron Trigger expressions and computes when
// they fire. The syntax is Cloudflare's five fields, in UTC:
//
//	minute (0-59)  hour (0-23)  day of month (1-31)  month (1-12 or JAN-DEC)  day of week (1-7 or SUN-SAT)
//
// with *, lists (a,b), ranges (a-b), steps (*/n, a-b/n, a/n), and the
// specials L (last day of the month; "nL" in the day-of-week field: the last
// such weekday of the month), W ("15W": the weekday nearest the 15th; "LW":
// the last weekday) and # ("6#3": the third Friday). Day of week 1 is
// Sunday; 0 is accepted as Sunday too. When both day fields are restricted,
// a day matches if either does, as in classic cron.
package cron

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed cron expression.
type Schedule struct {
	expr                  string
	minute, hour, month   uint64 // bit n set: value n matches
	dom                   uint64 // plain days of month (bits 1-31)
	domLast, domLastWeek  bool   // L, LW
	domNearest            []int  // nW
	dow                   uint64 // plain days of week, bit 0 = Sunday
	dowLast               []int  // nL, weekday 0-6
	dowNth                [][2]int
	domRestricted, dowRes bool
}

// String returns the expression as given.
func (s *Schedule) String() string { return s.expr }

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

// Parse parses a five-field expression. Errors name the field and what is
// wrong with it.
func Parse(expr string) (*Schedule, error) {
	f := strings.Fields(expr)
	if len(f) != 5 {
		return nil, fmt.Errorf("cron %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(f))
	}
	s := &Schedule{expr: expr}
	var err error
	if s.minute, err = parseField(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("cron %q: minute: %w", expr, err)
	}
	if s.hour, err = parseField(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("cron %q: hour: %w", expr, err)
	}
	if s.month, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("cron %q: month: %w", expr, err)
	}
	if err = s.parseDOM(f[2]); err != nil {
		return nil, fmt.Errorf("cron %q: day of month: %w", expr, err)
	}
	if err = s.parseDOW(f[4]); err != nil {
		return nil, fmt.Errorf("cron %q: day of week: %w", expr, err)
	}
	return s, nil
}

func parseValue(v string, names map[string]int) (int, error) {
	if n, ok := names[strings.ToUpper(v)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", v)
	}
	return n, nil
}

// parseField parses lists of values, ranges and steps into a bit set.
func parseField(field string, lo, hi int, names map[string]int) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(field, ",") {
		if part == "" {
			return 0, errors.New("empty list item")
		}
		rng, stepS, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepS)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("bad step %q", stepS)
			}
			step = n
		}
		a, b := lo, hi
		switch {
		case rng == "*" || rng == "?":
		case strings.Contains(rng, "-"):
			x, y, _ := strings.Cut(rng, "-")
			var err error
			if a, err = parseValue(x, names); err != nil {
				return 0, err
			}
			if b, err = parseValue(y, names); err != nil {
				return 0, err
			}
		default:
			v, err := parseValue(rng, names)
			if err != nil {
				return 0, err
			}
			a, b = v, v
			if hasStep {
				b = hi
			}
		}
		if a < lo || b > hi || a > b {
			return 0, fmt.Errorf("%q is outside %d-%d", part, lo, hi)
		}
		for v := a; v <= b; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func (s *Schedule) parseDOM(field string) error {
	if field == "*" || field == "?" {
		s.dom = ^uint64(0)
		return nil
	}
	s.domRestricted = true
	var plain []string
	for _, part := range strings.Split(field, ",") {
		switch {
		case strings.EqualFold(part, "L"):
			s.domLast = true
		case strings.EqualFold(part, "LW"):
			s.domLastWeek = true
		case strings.HasSuffix(strings.ToUpper(part), "W"):
			n, err := strconv.Atoi(part[:len(part)-1])
			if err != nil || n < 1 || n > 31 {
				return fmt.Errorf("bad %q", part)
			}
			s.domNearest = append(s.domNearest, n)
		default:
			plain = append(plain, part)
		}
	}
	if len(plain) > 0 {
		bits, err := parseField(strings.Join(plain, ","), 1, 31, nil)
		if err != nil {
			return err
		}
		s.dom = bits
	}
	return nil
}

func (s *Schedule) parseDOW(field string) error {
	if field == "*" || field == "?" {
		s.dow = ^uint64(0)
		return nil
	}
	s.dowRes = true
	var plain []string
	for _, part := range strings.Split(field, ",") {
		up := strings.ToUpper(part)
		switch {
		case up == "L":
			s.dow |= 1 << 6 // Saturday, the last day of the week
		case strings.HasSuffix(up, "L"):
			d, err := dowValue(part[:len(part)-1])
			if err != nil {
				return err
			}
			s.dowLast = append(s.dowLast, d)
		case strings.Contains(part, "#"):
			x, y, _ := strings.Cut(part, "#")
			d, err := dowValue(x)
			if err != nil {
				return err
			}
			k, err := strconv.Atoi(y)
			if err != nil || k < 1 || k > 5 {
				return fmt.Errorf("bad %q: the week must be 1-5", part)
			}
			s.dowNth = append(s.dowNth, [2]int{d, k})
		default:
			plain = append(plain, part)
		}
	}
	if len(plain) > 0 {
		// Accept 0 as Sunday: parse on 0-7, then fold 0 into 1.
		bits, err := parseField(strings.Join(plain, ","), 0, 7, dayNames)
		if err != nil {
			return err
		}
		if bits&1 != 0 {
			bits |= 1 << 1
		}
		for d := 1; d <= 7; d++ {
			if bits&(1<<uint(d)) != 0 {
				s.dow |= 1 << uint(d-1) // store 0-6 = Sunday-Saturday
			}
		}
	}
	return nil
}

func dowValue(v string) (int, error) {
	n, err := parseValue(v, dayNames)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		n = 1
	}
	if n < 1 || n > 7 {
		return 0, fmt.Errorf("%q is outside 1-7", v)
	}
	return n - 1, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// nearestWeekday returns the weekday nearest day n of the month, staying in
// the month.
func nearestWeekday(y int, m time.Month, n int) int {
	last := daysIn(y, m)
	if n > last {
		n = last
	}
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

func (s *Schedule) domMatch(t time.Time) bool {
	y, m, d := t.Date()
	if s.dom&(1<<uint(d)) != 0 {
		return true
	}
	last := daysIn(y, m)
	if s.domLast && d == last {
		return true
	}
	if s.domLastWeek && d == nearestWeekday(y, m, last) {
		return true
	}
	for _, n := range s.domNearest {
		if d == nearestWeekday(y, m, n) {
			return true
		}
	}
	return false
}

func (s *Schedule) dowMatch(t time.Time) bool {
	wd := int(t.Weekday())
	if s.dow&(1<<uint(wd)) != 0 {
		return true
	}
	_, m, d := t.Date()
	for _, l := range s.dowLast {
		if wd == l && t.AddDate(0, 0, 7).Month() != m {
			return true
		}
	}
	for _, nk := range s.dowNth {
		if wd == nk[0] && (d-1)/7+1 == nk[1] {
			return true
		}
	}
	return false
}

func (s *Schedule) dayMatch(t time.Time) bool {
	switch {
	case s.domRestricted && s.dowRes:
		return s.domMatch(t) || s.dowMatch(t)
	case s.domRestricted:
		return s.domMatch(t)
	case s.dowRes:
		return s.dowMatch(t)
	}
	return true
}

// Next returns the first time after t (in UTC, to the minute) at which the
// schedule fires, or the zero time if it never does within five years (a
// date like 30 February).
func (s *Schedule) Next(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		if s.month&(1<<uint(t.Month())) == 0 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if !s.dayMatch(t) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if s.hour&(1<<uint(t.Hour())) == 0 {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, time.UTC)
			continue
		}
		if s.minute&(1<<uint(t.Minute())) == 0 {
			t = t.Add(time.Minute)
			continue
		}
		return t
	}
	return time.Time{}
}
