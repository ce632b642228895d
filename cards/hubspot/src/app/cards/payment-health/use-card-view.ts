import { useCallback, useEffect, useState } from 'react';
import { fetchCardView } from './backend.ts';
import type { PaymentHealthCardView } from './view-model.ts';

export type CardLoadState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; view: PaymentHealthCardView; refreshing: boolean };

export interface CardViewHandle {
  state: CardLoadState;
  /** Loads the view again. With `keepView`, the current view stays on screen until the new one arrives. */
  reload: (options?: { keepView?: boolean }) => void;
}

/** Loads the card view for a company and reloads it on request. */
export function useCardView(companyId: string): CardViewHandle {
  const [state, setState] = useState<CardLoadState>({ kind: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    fetchCardView(companyId).then(
      (view) => current && setState({ kind: 'ready', view, refreshing: false }),
      (error: unknown) => current && setState({ kind: 'error', message: errorMessage(error) }),
    );
    return () => {
      current = false;
    };
  }, [companyId, generation]);

  const reload = useCallback((options: { keepView?: boolean } = {}) => {
    setState((previous) =>
      options.keepView && previous.kind === 'ready' ? { ...previous, refreshing: true } : { kind: 'loading' },
    );
    setGeneration((value) => value + 1);
  }, []);

  return { state, reload };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Unknown error';
}
