package exh

import "github.com/exhgo/exh/rql"

// RQL returns an empty RQL query builder for TokensService.Find, FindFirst
// and All: exh.RQL().Eq("applicationId", id).Limit(10). It is rql.New; see
// package rql for the operators.
func RQL() *rql.Builder { return rql.New() }
