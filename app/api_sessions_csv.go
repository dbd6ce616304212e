package app

import (
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// csvFlushRows is how many rows the export writes between flushes: the
// browser sees the file grow, and no more than that many rows wait in
// buffers.
const csvFlushRows = 200

// csvBOM starts the export: spreadsheets read a CSV file as UTF-8 only
// when it begins with the byte order mark.
const csvBOM = "\uFEFF"

// csvTimeLayout is how the export writes times, in the shop's time zone
// (named in the header): a form spreadsheets read as a date and time.
const csvTimeLayout = "2006-01-02 15:04"

// apiSessionsCSV exports the sessions the lists show (GET /api/sessions's
// filters: status, from, to, segment, segment_value, q, sort, order; all
// of them, not a page) as a CSV file: UTF-8 with a byte order mark, one
// row per session, every cell that a spreadsheet would read as a formula
// escaped (csvCell). The rows are written as the store reads them, a
// chunk at a time (store.EachSession), and flushed every csvFlushRows, so
// a year of sessions goes out without being held in memory. Once the
// first byte is sent the status cannot change: a failure after it aborts
// the connection, so that the browser reports a failed download rather
// than saving part of the file as if whole.
func (a *App) apiSessionsCSV(c echo.Context) error {
	q, err := a.parseSessionsRequest(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	idle, err := a.shopIdle(ctx, q.Shop.ID)
	if err != nil {
		return err
	}
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	now := a.now()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+csvFilename(q)+`"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	out := csv.NewWriter(w)
	rows := 0
	write := func(cells []string) error {
		for i := range cells {
			cells[i] = csvCell(cells[i])
		}
		if err := out.Write(cells); err != nil {
			return err
		}
		if rows++; rows%csvFlushRows == 0 {
			out.Flush()
			w.Flush()
		}
		return out.Error()
	}
	_, err = io.WriteString(w, csvBOM)
	if err == nil {
		err = write(csvHeader(loc))
	}
	if err == nil {
		err = a.store.EachSession(ctx, q.filter(now, idle), func(s funnel.Session) error {
			return write(csvRow(s, q.Shop.Currency, now, idle, loc))
		})
	}
	if err == nil {
		out.Flush()
		err = out.Error()
	}
	if err != nil {
		level := slog.LevelError
		if ctx.Err() != nil {
			level = slog.LevelInfo // the browser went away: a download cancelled
		}
		a.log.Log(ctx, level, "exporting sessions failed", "shop", q.Shop.Domain, "rows", rows, "error", err.Error())
		panic(http.ErrAbortHandler)
	}
	return nil
}

// csvHeader is the export's first row; times are in loc.
func csvHeader(loc *time.Location) []string {
	zone := " (" + loc.String() + ")"
	return []string{"Started" + zone, "Last active" + zone, "Status", "Stage reached", "Value", "Currency",
		"Items", "Products", "E-mail", "Phone", "Country", "Source", "Recovery link", "Session"}
}

// csvRow is one session's row, as the lists show it: its status at now
// against idle, its value in the shop's currency when the cart named none.
func csvRow(s funnel.Session, shopCurrency string, now time.Time, idle time.Duration, loc *time.Location) []string {
	products := make([]string, len(s.LineItems))
	for i, li := range s.LineItems {
		products[i] = li.Title + " × " + strconv.Itoa(li.Quantity)
	}
	return []string{
		s.StartedAt.In(loc).Format(csvTimeLayout), s.LastActivity.In(loc).Format(csvTimeLayout),
		s.Status(now, idle).Label(), s.Furthest().Label(),
		funnel.FormatMoney(s.Value), funnel.ValueCurrency(s.Currency, shopCurrency),
		strconv.Itoa(s.ItemCount), strings.Join(products, "; "),
		s.Email, s.Phone, s.Country, s.SourceName, s.RecoveryURL, s.Key,
	}
}

// csvCell escapes a cell a spreadsheet would take for a formula (OWASP's
// CSV injection advice): one that starts with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, which spreadsheets show as
// text and do not evaluate. Every cell goes through it: titles, e-mails
// and links all come from shoppers.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvFilename names the export after what it holds: the status (or all
// sessions) and the days, e.g.
// funnelscope-abandoned-cart-2026-11-01-to-2026-11-30.csv.
func csvFilename(q sessionsRequest) string {
	what := "sessions"
	if q.Status != "" {
		what = strings.ReplaceAll(string(q.Status), "_", "-")
	}
	if q.Days == nil {
		return "funnelscope-" + what + ".csv"
	}
	return fmt.Sprintf("funnelscope-%s-%s-to-%s.csv", what, q.Days.Start().Format(dateLayout), q.Days.Last().Format(dateLayout))
}
