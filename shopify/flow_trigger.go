package shopify

import (
	"context"
	"fmt"
	"strings"
)

// flowTriggerReceiveMutation fires a Flow trigger with its handle and
// payload, the arguments of the Admin API since 2023-07 (the older body
// argument is deprecated).
const flowTriggerReceiveMutation = `mutation flowTriggerReceive($handle: String, $payload: JSON) {
  flowTriggerReceive(handle: $handle, payload: $payload) {
    userErrors { field message }
  }
}`

// FlowTriggerError is Shopify refusing a Flow trigger: the user errors of
// flowTriggerReceive (an unknown handle, a payload that does not match the
// trigger's fields), or the top-level ACCESS_DENIED of a token that may not
// fire it. Retrying the same trigger does not help.
type FlowTriggerError struct {
	Handle  string
	Field   []string
	Message string
}

// Error names the trigger and Shopify's message.
func (e *FlowTriggerError) Error() string {
	return fmt.Sprintf("shopify: flowTriggerReceive %s refused: %s", e.Handle, e.Message)
}

// FlowTriggerReceive fires the app's Flow trigger handle on shop with
// payload, whose keys are the keys of the trigger extension's fields.
// Shopify's refusals are a *FlowTriggerError; transport failures, 429s,
// 5xx and THROTTLED are retried as every Admin API call is; a 401 wraps
// ErrReauthorize.
func (c *Client) FlowTriggerReceive(ctx context.Context, shop, accessToken, handle string, payload map[string]any) error {
	if handle == "" {
		return fmt.Errorf("shopify: flowTriggerReceive: empty handle")
	}
	gs, err := c.adminClient(shop, accessToken)
	if err != nil {
		return fmt.Errorf("shopify: flowTriggerReceive: %w", err)
	}
	var data struct {
		FlowTriggerReceive struct {
			UserErrors []struct {
				Field   []string `json:"field"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"flowTriggerReceive"`
	}
	vars := map[string]any{"handle": handle, "payload": payload}
	if err := c.graphQL(ctx, gs, flowTriggerReceiveMutation, vars, &data); err != nil {
		if isAccessDenied(err) {
			return &FlowTriggerError{Handle: handle, Message: err.Error()}
		}
		return fmt.Errorf("shopify: flowTriggerReceive %s: %w", handle, err)
	}
	if ues := data.FlowTriggerReceive.UserErrors; len(ues) > 0 {
		msgs := make([]string, 0, len(ues))
		for _, u := range ues {
			msgs = append(msgs, u.Message)
		}
		return &FlowTriggerError{Handle: handle, Field: ues[0].Field, Message: strings.Join(msgs, "; ")}
	}
	return nil
}
