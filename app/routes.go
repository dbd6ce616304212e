package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/funnelscope/funnelscope/static"
)

// routes is the one route table of the application.
func (a *App) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(middleware.Recover())
	e.Use(a.requestLog())
	e.Use(middleware.BodyLimit("6M")) // webhooks have their own, tighter check
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:      "",
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "", // embedded in the admin: frame-ancestors in the CSP does this job
		ReferrerPolicy:     "strict-origin-when-cross-origin",
	}))

	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{})))
	e.GET(static.Prefix+":name", a.staticFile)
	e.GET("/favicon.ico", favicon)

	e.GET("/auth", a.authBegin)
	e.GET("/auth/callback", a.authCallback)
	e.POST(webhookPath, a.webhook)
	e.POST(collectPath, a.collect)
	e.OPTIONS(collectPath, a.collectPreflight)

	e.GET("/", a.home, a.embeddedPage)
	e.GET("/settings", a.settingsPage, a.embeddedPage)
	e.GET("/sessions", a.sessionsPage, a.embeddedPage)
	e.GET("/changes", a.changesPage, a.embeddedPage)
	e.GET("/changes/:id", a.impactPage, a.embeddedPage)
	e.GET("/sessions/:key", a.sessionPage, a.embeddedPage)
	// A download is a navigation, which carries no Authorization header:
	// the page puts its session token in the query (apiSessionsCSV).
	e.GET("/api/sessions.csv", a.apiSessionsCSV, a.downloadToken)

	api := e.Group("/api", a.sessionToken)
	api.GET("/funnel", a.apiFunnel)
	api.GET("/sessions", a.apiSessions)
	api.GET("/sessions/:key", a.apiSession)
	api.GET("/settings", a.apiGetSettings)
	api.PUT("/settings", a.apiPutSettings)
	api.GET("/alerts", a.apiAlerts)
	api.GET("/data-requests", a.apiDataRequests)
	api.GET("/trend", a.apiTrend)
	api.GET("/changes", a.apiChanges)
	api.POST("/changes", a.apiPostChange)
	api.GET("/impact", a.apiImpact)
	api.GET("/view/report", a.apiReportView)
	api.GET("/storefront/status", a.apiStorefrontStatus)
	api.POST("/storefront/activate", a.apiStorefrontActivate)

	if a.cfg.Demo {
		e.GET("/demo", a.demoEnter)
		e.GET("/demo/token", a.demoToken)
	}
	return e
}

// headAsGet answers HEAD wherever GET answers. Echo routes HEAD only to
// routes registered for it, so a HEAD request is routed as a copy of
// itself with the method GET; the server still holds the HEAD request it
// read, and so sends the GET answer's status and headers without its body.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// requestLog logs each request with its path only: query strings carry hmac,
// code and id_token, which must never reach the logs.
func (a *App) requestLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogURIPath:  true,
		LogMethod:   true,
		LogStatus:   true,
		LogLatency:  true,
		LogError:    true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			switch {
			case v.Status >= http.StatusInternalServerError:
				level = slog.LevelError
			case (v.URIPath == "/webhooks" || v.URIPath == collectPath) && v.Status < http.StatusBadRequest:
				// Shopify's deliveries come by the thousand a second;
				// funnelscope_webhooks_total counts them by topic and outcome.
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency.Round(time.Microsecond)),
			}
			if v.Error != nil {
				attrs = append(attrs, slog.String("error", v.Error.Error()))
			}
			a.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			a.metrics.requests.WithLabelValues(c.Path(), statusClass(v.Status)).Observe(v.Latency.Seconds())
			return nil
		},
	})
}

func statusClass(status int) string {
	return string('0'+rune(status/100)) + "xx"
}
