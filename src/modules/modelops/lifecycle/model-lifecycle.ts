import { HttpStatus } from '@nestjs/common';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';

/**
 * The lifecycle of a managed model, in one table.
 *
 *   created ──register──▶ registered ──validate ok──▶ validated ──activate──▶ active ──deactivate──▶ inactive
 *                             ▲  ◀──validate failed──────┘                     ▲──────activate──────────┘
 *   unregistered ──register───┘
 *   registered | validated | inactive ──unregister──▶ unregistered
 *   created | unregistered ──delete──▶ deleted
 *
 * - `validate` runs a real check and records it; on success `registered` becomes `validated`,
 *   on failure `validated` falls back to `registered`. An `active` or `inactive` model keeps its
 *   state either way: a failed validation only makes it unbindable (`is_validation_current` and
 *   `last_validation_status` say why).
 * - `test` runs a real call and records it; it never changes the state.
 * - `activate` also needs the last validation to be current and successful.
 * - `deactivate`, `unregister` and `delete` are also refused while a deployment binding uses the model.
 * - `deleted` is terminal: the row stays (usage and validations keep their history) but reads answer 404.
 */
export const MODEL_STATES = [
  'created',
  'registered',
  'validated',
  'active',
  'inactive',
  'unregistered',
  'deleted',
] as const;
export type ModelState = (typeof MODEL_STATES)[number];

export const MODEL_ACTIONS = [
  'register',
  'validate',
  'test',
  'activate',
  'deactivate',
  'unregister',
  'delete',
] as const;
export type ModelAction = (typeof MODEL_ACTIONS)[number];

/** For every action, the states it is allowed from and the state it leads to (on success). */
export const MODEL_TRANSITIONS: Readonly<Record<ModelAction, Readonly<Partial<Record<ModelState, ModelState>>>>> = {
  register: { created: 'registered', unregistered: 'registered' },
  validate: { registered: 'validated', validated: 'validated', active: 'active', inactive: 'inactive' },
  test: { validated: 'validated', active: 'active', inactive: 'inactive' },
  activate: { validated: 'active', inactive: 'active' },
  deactivate: { active: 'inactive' },
  unregister: { registered: 'unregistered', validated: 'unregistered', inactive: 'unregistered' },
  delete: { created: 'deleted', unregistered: 'deleted' },
};

/** Where a failed validation leads, for the states where that differs from staying put. */
export const FAILED_VALIDATION_TRANSITIONS: Readonly<Partial<Record<ModelState, ModelState>>> = {
  validated: 'registered',
};

/** Actions whose transition is refused while an upper layer (a deployment binding) uses the model. */
export const ACTIONS_GUARDED_BY_REFERENCES: ReadonlySet<ModelAction> = new Set(['deactivate', 'unregister', 'delete']);

/** States from which `action` is allowed. */
export function allowedFrom(action: ModelAction): ModelState[] {
  return Object.keys(MODEL_TRANSITIONS[action]) as ModelState[];
}

/** The state `action` leads to from `current`, or undefined when the table does not allow it. */
export function nextState(current: ModelState, action: ModelAction): ModelState | undefined {
  return MODEL_TRANSITIONS[action][current];
}

/** The state after a validation with the given outcome (the action must be allowed from `current`). */
export function stateAfterValidation(current: ModelState, success: boolean): ModelState {
  const next = assertTransition(current, 'validate');
  return success ? next : (FAILED_VALIDATION_TRANSITIONS[current] ?? current);
}

/** The next state, or 409 `invalid_state_transition` naming the current state and the allowed ones. */
export function assertTransition(current: ModelState, action: ModelAction): ModelState {
  const next = nextState(current, action);
  if (next) return next;
  throw new ModelOpsException(
    HttpStatus.CONFLICT,
    ModelOpsErrorCode.InvalidStateTransition,
    `Cannot ${action} a model in state ${current}; allowed from: ${allowedFrom(action).join(', ')}`,
    { current_state: current, action, allowed_from: allowedFrom(action) },
  );
}
