package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Error is an error whose message a person may read: the HTTP status to answer
// with, a plain message, and for form input the field it concerns. The wrapped
// Err is for the logs only.
type Error struct {
	Status  int
	Message string
	Field   string
	Err     error
}

// Error returns the status, the message and the wrapped detail, for the logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Message, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

// Unwrap returns the wrapped detail.
func (e *Error) Unwrap() error { return e.Err }

// userError builds an Error with a plain message.
func userError(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// fieldError builds a 400 about one input field.
func fieldError(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// handleError is the one place where errors become HTTP answers. Anything not
// meant for users is logged and answered with a generic message, so internal
// detail (SQL, connection strings) never reaches a browser.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := http.StatusInternalServerError, errorBody{Error: somethingWentWrong}
	var ue *Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ue):
		status, body = ue.Status, errorBody{Error: ue.Message, Field: ue.Field}
	case errors.As(err, &he):
		status = he.Code
		if status < http.StatusInternalServerError {
			body.Error = plainHTTPMessage(he)
		}
	}
	if status >= http.StatusInternalServerError {
		a.log.ErrorContext(c.Request().Context(), "request failed", "path", c.Request().URL.Path, "error", err.Error())
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		_ = c.JSON(status, body)
		return
	}
	if rerr := a.render(c, status, "error.html", pageData{Title: http.StatusText(status), Message: body.Error}); rerr != nil {
		// The error page itself failed: an answer must still go out, and
		// one that cannot fail to render.
		a.log.ErrorContext(c.Request().Context(), "rendering the error page failed", "path", c.Request().URL.Path,
			"status", status, "error", rerr.Error())
		if !c.Response().Committed {
			_ = c.String(http.StatusInternalServerError, somethingWentWrong)
		}
	}
}

// somethingWentWrong is what a person is told of a failure on our side.
const somethingWentWrong = "Something went wrong on our side. Please try again in a moment."

func plainHTTPMessage(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "This page does not exist."
	case http.StatusMethodNotAllowed:
		return "This method is not allowed here."
	case http.StatusRequestEntityTooLarge:
		return "The request body is too large."
	}
	if m, ok := he.Message.(string); ok {
		return m
	}
	return http.StatusText(he.Code)
}

// wantsJSON tells API and webhook callers apart from browsers.
func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/webhooks" || p == "/demo/token" {
		return true
	}
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
}
