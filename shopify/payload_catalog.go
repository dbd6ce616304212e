package shopify

import "fmt"

// Product is a products/update payload: the REST product resource, of
// which the app reads the title, when it was last updated and each
// variant's price. The payload carries only the new prices, never the old.
type Product struct {
	ID        int64            `json:"id"`
	Title     string           `json:"title"`
	UpdatedAt Time             `json:"updated_at"`
	Variants  []ProductVariant `json:"variants"`
}

// ProductVariant is one variant of a Product; Price is a decimal string of
// the shop's currency ("19.00").
type ProductVariant struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Price string `json:"price"`
}

// Discount is a discounts/create, discounts/update or discounts/delete
// payload: the discount's GraphQL id, and on create and update its title,
// status (ACTIVE, EXPIRED or SCHEDULED) and times. A deletion carries the
// id and deleted_at alone. Shopify's samples carry no ends_at; EndsAt is
// read in case a delivery does.
type Discount struct {
	AdminGraphQLAPIID string `json:"admin_graphql_api_id"`
	Title             string `json:"title"`
	Status            string `json:"status"`
	CreatedAt         Time   `json:"created_at"`
	UpdatedAt         Time   `json:"updated_at"`
	EndsAt            Time   `json:"ends_at"`
	DeletedAt         Time   `json:"deleted_at"`
}

// MaxProductVariants is the most variants a product payload may list
// (Shopify allows 2,048 per product).
const MaxProductVariants = 2048

// ParseProduct decodes a products/update body. It requires the product's
// id, and of each variant an id and a price of Shopify's money shape.
func ParseProduct(body []byte) (Product, error) {
	var p Product
	if err := decodePayload(body, &p); err != nil {
		return Product{}, err
	}
	if p.ID <= 0 {
		return Product{}, badPayload("product has no id")
	}
	if len(p.Variants) > MaxProductVariants {
		return Product{}, badPayload(fmt.Sprintf("product has %d variants, more than %d", len(p.Variants), MaxProductVariants))
	}
	for i, v := range p.Variants {
		if v.ID <= 0 {
			return Product{}, badPayload(fmt.Sprintf("variant %d has no id", i))
		}
		if !ValidMoney(v.Price) {
			return Product{}, badPayload(fmt.Sprintf("variant %d's price %q is not an amount", v.ID, truncateForError(v.Price)))
		}
	}
	return p, nil
}

// ParseDiscount decodes a discounts/create, discounts/update or
// discounts/delete body. It requires admin_graphql_api_id.
func ParseDiscount(body []byte) (Discount, error) {
	var d Discount
	if err := decodePayload(body, &d); err != nil {
		return Discount{}, err
	}
	if d.AdminGraphQLAPIID == "" {
		return Discount{}, badPayload("discount has no admin_graphql_api_id")
	}
	return d, nil
}
