// Keyboard triage in the queue. One table maps keys to actions; the help
// overlay (?) is drawn from the same table, so what it shows is what works.

export type QueueAction =
  | 'down'
  | 'up'
  | 'pageDown'
  | 'pageUp'
  | 'first'
  | 'last'
  | 'open'
  | 'take'
  | 'tag'
  | 'search'
  | 'select'
  | 'selectAll'
  | 'help'
  | 'escape';

export interface Shortcut {
  keys: string[];
  action: QueueAction;
  /** i18n key of the description. */
  label: string;
}

export const QUEUE_SHORTCUTS: Shortcut[] = [
  { keys: ['j', 'ArrowDown'], action: 'down', label: 'shortcut.down' },
  { keys: ['k', 'ArrowUp'], action: 'up', label: 'shortcut.up' },
  { keys: ['PageDown'], action: 'pageDown', label: 'shortcut.pageDown' },
  { keys: ['PageUp'], action: 'pageUp', label: 'shortcut.pageUp' },
  { keys: ['Home'], action: 'first', label: 'shortcut.first' },
  { keys: ['End'], action: 'last', label: 'shortcut.last' },
  { keys: ['Enter', 'o'], action: 'open', label: 'shortcut.open' },
  { keys: ['t'], action: 'take', label: 'shortcut.take' },
  { keys: ['g'], action: 'tag', label: 'shortcut.tag' },
  { keys: ['/'], action: 'search', label: 'shortcut.search' },
  { keys: ['x', ' '], action: 'select', label: 'shortcut.select' },
  { keys: ['A'], action: 'selectAll', label: 'shortcut.selectAll' },
  { keys: ['?'], action: 'help', label: 'shortcut.help' },
  { keys: ['Escape'], action: 'escape', label: 'shortcut.escape' },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** True when the key went to a text field, select or other editable element. */
  inEditable?: boolean;
}

/** What a key press means in the queue, or null when it is not a shortcut (or belongs to a text field). */
export function queueActionFor(e: KeyLike): QueueAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.inEditable) return e.key === 'Escape' ? 'escape' : null;
  for (const s of QUEUE_SHORTCUTS) {
    if (s.keys.includes(e.key)) return s.action;
  }
  return null;
}

/** Whether an event target is a place where typing goes into text. */
export function isEditable(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return el.isContentEditable === true;
}

/** A key as shown in the help overlay. */
export function keyLabel(key: string): string {
  switch (key) {
    case 'ArrowDown':
      return '↓';
    case 'ArrowUp':
      return '↑';
    case ' ':
      return 'Space';
    case 'Escape':
      return 'Esc';
    default:
      return key;
  }
}

/** Moves a cursor within [0, total) by an action; the new index (or the same). */
export function moveCursor(action: QueueAction, cursor: number, total: number, page: number): number {
  if (total <= 0) return 0;
  const last = total - 1;
  const c = Math.min(Math.max(0, cursor), last);
  switch (action) {
    case 'down':
      return Math.min(last, c + 1);
    case 'up':
      return Math.max(0, c - 1);
    case 'pageDown':
      return Math.min(last, c + page);
    case 'pageUp':
      return Math.max(0, c - page);
    case 'first':
      return 0;
    case 'last':
      return last;
    default:
      return c;
  }
}
