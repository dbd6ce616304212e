# syntax=docker/dockerfile:1
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/funnelscope .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/funnelscope /funnelscope
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/funnelscope"]
CMD ["serve"]
