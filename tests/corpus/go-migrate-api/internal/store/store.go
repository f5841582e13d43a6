// Package store is the API's access to PostgreSQL (pgx, no ORM).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

var ErrInsufficientFunds = errors.New("insufficient funds")

type Store struct {
	pool *pgxpool.Pool
}

func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

type TransferParams struct {
	From, To       uuid.UUID
	Amount         decimal.Decimal
	Memo           string
	IdempotencyKey string
}

type Transfer struct {
	ID        uuid.UUID       `json:"id"`
	From      uuid.UUID       `json:"from_account_id"`
	To        uuid.UUID       `json:"to_account_id"`
	Amount    decimal.Decimal `json:"amount"`
	Status    string          `json:"status"`
	CreatedAt time.Time       `json:"created_at"`
}

// Transfer moves money between two accounts: both balances, the transfer and its two
// ledger entries are written in one transaction.
func (s *Store) Transfer(ctx context.Context, p TransferParams) (Transfer, error) {
	var t Transfer
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// lock both accounts in a fixed order so two opposite transfers cannot deadlock
		if _, err := tx.Exec(ctx,
			`SELECT id FROM accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
			[]uuid.UUID{p.From, p.To}); err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		tag, err := tx.Exec(ctx,
			`UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2`,
			p.From, p.Amount)
		if err != nil {
			return fmt.Errorf("debit: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrInsufficientFunds
		}
		if _, err := tx.Exec(ctx,
			`UPDATE accounts SET balance = balance + $2 WHERE id = $1`, p.To, p.Amount); err != nil {
			return fmt.Errorf("credit: %w", err)
		}
		var key *string
		if p.IdempotencyKey != "" {
			key = &p.IdempotencyKey
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO transfers (from_account_id, to_account_id, amount, status, idempotency_key, memo, posted_at)
			VALUES ($1, $2, $3, 'posted', $4, NULLIF($5, ''), now())
			RETURNING id, from_account_id, to_account_id, amount, status, created_at`,
			p.From, p.To, p.Amount, key, p.Memo,
		).Scan(&t.ID, &t.From, &t.To, &t.Amount, &t.Status, &t.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert transfer: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO ledger_entries (transfer_id, account_id, amount)
			VALUES ($1, $2, -$4::numeric), ($1, $3, $4::numeric)`,
			t.ID, p.From, p.To, p.Amount); err != nil {
			return fmt.Errorf("insert ledger entries: %w", err)
		}
		return nil
	})
	return t, err
}

type Entry struct {
	ID         int64           `json:"id"`
	TransferID uuid.UUID       `json:"transfer_id"`
	Amount     decimal.Decimal `json:"amount"`
	CreatedAt  time.Time       `json:"created_at"`
}

func (s *Store) Statement(ctx context.Context, account uuid.UUID, limit int) ([]Entry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, transfer_id, amount, created_at
		FROM ledger_entries
		WHERE account_id = $1
		ORDER BY created_at DESC
		LIMIT $2`, account, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Entry])
}

// EraseClosedAccount deletes a closed account that never moved money; its API keys,
// webhooks and events are removed by ON DELETE CASCADE.
func (s *Store) EraseClosedAccount(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM accounts WHERE id = $1 AND status = 'closed'`, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return pgx.ErrNoRows
	}
	return nil
}
