package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	goshopify "github.com/bold-commerce/go-shopify/v4"
)

const webPixelQuery = `query webPixel { webPixel { id settings } }`

const webPixelCreateMutation = `mutation webPixelCreate($webPixel: WebPixelInput!) {
  webPixelCreate(webPixel: $webPixel) {
    userErrors { code field message }
    webPixel { id settings }
  }
}`

const webPixelUpdateMutation = `mutation webPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
  webPixelUpdate(id: $id, webPixel: $webPixel) {
    userErrors { code field message }
    webPixel { id settings }
  }
}`

// Web pixel user error codes (ErrorsWebPixelUserErrorCode) the app acts on.
const (
	// PixelNoExtension: the app has no deployed web pixel extension.
	PixelNoExtension = "NO_EXTENSION"
	// PixelTaken: the app already has a pixel on the shop (webPixelCreate).
	PixelTaken = "TAKEN"
	// PixelNotFound: no pixel has that id (webPixelUpdate).
	PixelNotFound = "NOT_FOUND"
	// PixelUnexpected: Shopify failed on its side; worth trying again.
	PixelUnexpected = "UNEXPECTED_ERROR"
	// PixelAccessDenied is not one of Shopify's user error codes: it stands
	// for the top-level ACCESS_DENIED error of a token without write_pixels
	// or read_customer_events.
	PixelAccessDenied = "ACCESS_DENIED"
)

// noPixelMessage is how the webPixel query says the app has no pixel on the
// shop: a top-level GraphQL error ("No web pixel was found for this app.").
const noPixelMessage = "no web pixel was found"

// WebPixel is the app's web pixel on one shop.
type WebPixel struct {
	ID string
	// AccountID is the pixel's accountID setting: the shop's pixel key.
	AccountID string
}

// PixelOutcome says what EnsureWebPixel did.
type PixelOutcome string

// What EnsureWebPixel did.
const (
	PixelCreated   PixelOutcome = "created"   // webPixelCreate made the pixel
	PixelUpdated   PixelOutcome = "updated"   // webPixelUpdate set the key on the existing pixel
	PixelUnchanged PixelOutcome = "unchanged" // the existing pixel already had the key
)

// PixelError is Shopify refusing to create or update the app's web pixel:
// a user error of webPixelCreate or webPixelUpdate (Code is its
// ErrorsWebPixelUserErrorCode), or PixelAccessDenied. Retrying does not
// help unless Retryable says so.
type PixelError struct {
	Op      string // "webPixelCreate" or "webPixelUpdate"
	Code    string
	Field   []string
	Message string
}

// Error names the operation, the code and Shopify's message.
func (e *PixelError) Error() string {
	return fmt.Sprintf("shopify: %s refused (%s): %s", e.Op, e.Code, e.Message)
}

// Retryable reports whether trying again later may succeed: only Shopify's
// own unexpected errors.
func (e *PixelError) Retryable() bool { return e.Code == PixelUnexpected || e.Code == "" }

type webPixelNode struct {
	ID       string          `json:"id"`
	Settings json.RawMessage `json:"settings"`
}

type pixelUserError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

type pixelMutationPayload struct {
	UserErrors []pixelUserError `json:"userErrors"`
	WebPixel   *webPixelNode    `json:"webPixel"`
}

// pixelSettings is the pixel's settings object, as extensions/
// funnelscope-pixel/shopify.extension.toml defines it.
type pixelSettings struct {
	AccountID string `json:"accountID"`
}

// decodePixelSettings reads a WebPixel's settings, which Shopify answers as
// a JSON-encoded string (and some API versions as an object).
func decodePixelSettings(raw json.RawMessage) (pixelSettings, error) {
	var s pixelSettings
	if len(raw) == 0 || string(raw) == "null" {
		return s, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		raw = json.RawMessage(str)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("shopify: web pixel settings: %w", err)
	}
	return s, nil
}

func (n webPixelNode) pixel() (WebPixel, error) {
	s, err := decodePixelSettings(n.Settings)
	if err != nil {
		return WebPixel{}, err
	}
	return WebPixel{ID: n.ID, AccountID: s.AccountID}, nil
}

// EnsureWebPixel makes the app's web pixel on shop carry accountID (the
// shop's pixel key) as its accountID setting: it reads the app's pixel
// (the webPixel query), updates it when its key differs, and creates it when
// there is none. It is idempotent. Shopify's refusals are a *PixelError:
// PixelNoExtension when the pixel extension is not deployed,
// PixelAccessDenied when the token lacks write_pixels or
// read_customer_events, INVALID_SETTINGS when the settings do not match the
// extension's. Transport failures, 429s and THROTTLED are retried as every
// Admin API call is; a 401 wraps ErrReauthorize.
func (c *Client) EnsureWebPixel(ctx context.Context, shop, accessToken, accountID string) (WebPixel, PixelOutcome, error) {
	if accountID == "" {
		return WebPixel{}, "", errors.New("shopify: ensuring web pixel: empty account id")
	}
	gs, err := c.adminClient(shop, accessToken)
	if err != nil {
		return WebPixel{}, "", fmt.Errorf("shopify: ensuring web pixel: %w", err)
	}
	settings, err := json.Marshal(pixelSettings{AccountID: accountID})
	if err != nil {
		return WebPixel{}, "", fmt.Errorf("shopify: ensuring web pixel: %w", err)
	}
	// The settings go as a JSON-encoded string, as Shopify's docs pass them.
	input := map[string]any{"settings": string(settings)}

	// A pixel made or removed between the read and the write (a second
	// worker, the merchant) answers TAKEN or NOT_FOUND: read again, once.
	for attempt := 0; ; attempt++ {
		existing, found, err := c.webPixel(ctx, gs)
		if err != nil {
			return WebPixel{}, "", err
		}
		op, vars, outcome := "webPixelCreate", map[string]any{"webPixel": input}, PixelCreated
		mutation := webPixelCreateMutation
		if found {
			if existing.AccountID == accountID {
				return existing, PixelUnchanged, nil
			}
			op, vars, outcome = "webPixelUpdate", map[string]any{"id": existing.ID, "webPixel": input}, PixelUpdated
			mutation = webPixelUpdateMutation
		}
		var data map[string]pixelMutationPayload
		if err := c.graphQL(ctx, gs, mutation, vars, &data); err != nil {
			return WebPixel{}, "", fmt.Errorf("shopify: %s: %w", op, pixelAccessError(op, err))
		}
		payload := data[op]
		if len(payload.UserErrors) > 0 {
			ue := payload.UserErrors[0]
			if attempt == 0 && ((!found && ue.Code == PixelTaken) || (found && ue.Code == PixelNotFound)) {
				continue
			}
			msgs := make([]string, 0, len(payload.UserErrors))
			for _, u := range payload.UserErrors {
				msgs = append(msgs, u.Message)
			}
			return WebPixel{}, "", &PixelError{Op: op, Code: ue.Code, Field: ue.Field, Message: strings.Join(msgs, "; ")}
		}
		if payload.WebPixel == nil {
			return WebPixel{}, "", fmt.Errorf("shopify: %s: no web pixel in the answer", op)
		}
		px, err := payload.WebPixel.pixel()
		if err != nil {
			return WebPixel{}, "", err
		}
		return px, outcome, nil
	}
}

// webPixel reads the app's pixel on the shop; found is false when it has
// none.
func (c *Client) webPixel(ctx context.Context, gs *goshopify.Client) (WebPixel, bool, error) {
	var data struct {
		WebPixel *webPixelNode `json:"webPixel"`
	}
	err := c.graphQL(ctx, gs, webPixelQuery, nil, &data)
	if hasGraphQLError(err, func(msg string) bool { return strings.Contains(strings.ToLower(msg), noPixelMessage) }) {
		return WebPixel{}, false, nil
	}
	if err != nil {
		return WebPixel{}, false, fmt.Errorf("shopify: reading the web pixel: %w", pixelAccessError("webPixel", err))
	}
	if data.WebPixel == nil {
		return WebPixel{}, false, nil
	}
	px, err := data.WebPixel.pixel()
	return px, err == nil, err
}

// pixelAccessError turns the top-level "Access denied" GraphQL error of a
// token without the pixel scopes into a *PixelError; other errors pass.
func pixelAccessError(op string, err error) error {
	if isAccessDenied(err) {
		return &PixelError{Op: op, Code: PixelAccessDenied, Message: err.Error()}
	}
	return err
}

// isAccessDenied reports whether err is GraphQL's ACCESS_DENIED ("Access
// denied for webPixelCreate field. Required access: …"); go-shopify keeps
// only the message of a top-level error.
func isAccessDenied(err error) bool {
	return hasGraphQLError(err, func(msg string) bool { return strings.HasPrefix(msg, "Access denied") })
}

// hasGraphQLError reports whether err is an answer with top-level GraphQL
// errors (HTTP 200) one of whose messages satisfies match.
func hasGraphQLError(err error, match func(string) bool) bool {
	var re goshopify.ResponseError
	if err == nil || !errors.As(err, &re) || re.Status != 200 {
		return false
	}
	for _, m := range re.Errors {
		if match(m) {
			return true
		}
	}
	return false
}
