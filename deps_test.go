package exh
import (
 _ "github.com/go-resty/resty/v2"
 _ "github.com/stretchr/testify/require"
 _ "github.com/jarcoal/httpmock"
 _ "go.uber.org/goleak"
)
