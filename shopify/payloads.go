package shopify

// The types below hold the fields of webhook payloads that the funnel uses.
// Ids are int64 (line item ids exceed 2^53); money amounts are the decimal
// strings Shopify sends (convert with funnel.ParseAmount); JSON null decodes to the
// zero value. As parsed, their text is storable: valid UTF-8, without NUL.

// Money is an amount in one currency.
type Money struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currency_code"`
}

// MoneySet is an amount in the shop's and in the buyer's currency.
type MoneySet struct {
	ShopMoney        Money `json:"shop_money"`
	PresentmentMoney Money `json:"presentment_money"`
}

// LineItem is a line of a cart, checkout or order.
type LineItem struct {
	ID               int64     `json:"id"`
	Key              string    `json:"key"`
	VariantID        int64     `json:"variant_id"`
	ProductID        int64     `json:"product_id"`
	Title            string    `json:"title"`
	VariantTitle     string    `json:"variant_title"`
	Quantity         int64     `json:"quantity"`
	Price            string    `json:"price"`
	LinePrice        string    `json:"line_price"` // carts and checkouts; orders carry price × quantity
	RequiresShipping bool      `json:"requires_shipping"`
	PriceSet         *MoneySet `json:"price_set"`
	LinePriceSet     *MoneySet `json:"line_price_set"`
}

// Currency returns the shop currency of the line (from line_price_set or
// price_set), or "" when the payload does not say.
func (li LineItem) Currency() string {
	if li.LinePriceSet != nil && li.LinePriceSet.ShopMoney.CurrencyCode != "" {
		return li.LinePriceSet.ShopMoney.CurrencyCode
	}
	if li.PriceSet != nil {
		return li.PriceSet.ShopMoney.CurrencyCode
	}
	return ""
}

// Customer is the buyer attached to a checkout or order.
type Customer struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	// OrdersCount is nil when the payload leaves it out, as newer API
	// versions do.
	OrdersCount *int64 `json:"orders_count"`
}

// Address is a shipping or billing address.
type Address struct {
	Address1    string `json:"address1"`
	City        string `json:"city"`
	Zip         string `json:"zip"`
	Country     string `json:"country"`
	CountryCode string `json:"country_code"`
}

// ShippingLine is a chosen delivery method. (Its id is left out: checkouts
// send a string, orders a number.)
type ShippingLine struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Price  string `json:"price"`
	Source string `json:"source"`
}

// Cart is a carts/create or carts/update payload.
type Cart struct {
	ID        string     `json:"id"`
	Token     string     `json:"token"`
	LineItems []LineItem `json:"line_items"`
	CreatedAt Time       `json:"created_at"`
	UpdatedAt Time       `json:"updated_at"`
}

// Checkout is a checkouts/create or checkouts/update payload.
type Checkout struct {
	ID                   int64          `json:"id"` // absent from some payloads
	Token                string         `json:"token"`
	CartToken            string         `json:"cart_token"`
	Email                string         `json:"email"`
	Phone                string         `json:"phone"`
	Customer             *Customer      `json:"customer"`
	ShippingAddress      *Address       `json:"shipping_address"`
	BillingAddress       *Address       `json:"billing_address"`
	ShippingLines        []ShippingLine `json:"shipping_lines"`
	Gateway              string         `json:"gateway"`
	LineItems            []LineItem     `json:"line_items"`
	Currency             string         `json:"currency"`
	PresentmentCurrency  string         `json:"presentment_currency"`
	SubtotalPrice        string         `json:"subtotal_price"`
	TotalPrice           string         `json:"total_price"`
	LandingSite          string         `json:"landing_site"`
	ReferringSite        string         `json:"referring_site"`
	SourceName           string         `json:"source_name"`
	AbandonedCheckoutURL string         `json:"abandoned_checkout_url"`
	CreatedAt            Time           `json:"created_at"`
	UpdatedAt            Time           `json:"updated_at"`
	CompletedAt          Time           `json:"completed_at"`
	ClosedAt             Time           `json:"closed_at"`
}

// CheckoutDelete is a checkouts/delete payload.
type CheckoutDelete struct {
	ID                  int64  `json:"id"`
	Token               string `json:"token"` // not in Shopify's sample; kept when sent
	CartToken           string `json:"cart_token"`
	PresentmentCurrency string `json:"presentment_currency"`
	TotalPrice          string `json:"total_price"`
}

// Order is an orders/create payload.
type Order struct {
	ID                  int64      `json:"id"`
	Name                string     `json:"name"`
	Token               string     `json:"token"`
	CartToken           string     `json:"cart_token"`
	CheckoutToken       string     `json:"checkout_token"`
	CheckoutID          int64      `json:"checkout_id"`
	CreatedAt           Time       `json:"created_at"`
	ProcessedAt         Time       `json:"processed_at"`
	CancelledAt         Time       `json:"cancelled_at"`
	Currency            string     `json:"currency"`
	TotalPrice          string     `json:"total_price"`
	SubtotalPrice       string     `json:"subtotal_price"`
	FinancialStatus     string     `json:"financial_status"`
	Email               string     `json:"email"`
	ContactEmail        string     `json:"contact_email"`
	Phone               string     `json:"phone"`
	Customer            *Customer  `json:"customer"`
	ShippingAddress     *Address   `json:"shipping_address"`
	BillingAddress      *Address   `json:"billing_address"`
	SourceName          string     `json:"source_name"`
	LandingSite         string     `json:"landing_site"`
	ReferringSite       string     `json:"referring_site"`
	PaymentGatewayNames []string   `json:"payment_gateway_names"`
	LineItems           []LineItem `json:"line_items"`
	Test                bool       `json:"test"`
}

// AppUninstalled is an app/uninstalled payload (the shop resource).
type AppUninstalled struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	Domain          string `json:"domain"`
	MyshopifyDomain string `json:"myshopify_domain"`
}

// Theme is a themes/publish payload: the theme resource, whose role is
// "main" once it is the published one.
type Theme struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	CreatedAt Time   `json:"created_at"`
	UpdatedAt Time   `json:"updated_at"`
}

// AppScopesUpdate is an app/scopes_update payload.
type AppScopesUpdate struct {
	ID        int64    `json:"id"`
	ShopID    string   `json:"shop_id"` // a GraphQL gid
	Previous  []string `json:"previous"`
	Current   []string `json:"current"`
	UpdatedAt Time     `json:"updated_at"`
}

// ComplianceCustomer identifies the customer of a compliance request.
type ComplianceCustomer struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// CustomersDataRequest is a customers/data_request payload.
type CustomersDataRequest struct {
	ShopID          int64              `json:"shop_id"`
	ShopDomain      string             `json:"shop_domain"`
	OrdersRequested []int64            `json:"orders_requested"`
	Customer        ComplianceCustomer `json:"customer"`
	DataRequest     struct {
		ID int64 `json:"id"`
	} `json:"data_request"`
}

// CustomersRedact is a customers/redact payload.
type CustomersRedact struct {
	ShopID         int64              `json:"shop_id"`
	ShopDomain     string             `json:"shop_domain"`
	Customer       ComplianceCustomer `json:"customer"`
	OrdersToRedact []int64            `json:"orders_to_redact"`
}

// ShopRedact is a shop/redact payload.
type ShopRedact struct {
	ShopID     int64  `json:"shop_id"`
	ShopDomain string `json:"shop_domain"`
}
