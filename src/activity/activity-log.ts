/**
 * The CRM-side log of notes and tasks on a record. The worker depends only on this interface, so
 * HubSpot app events (timeline events) can replace notes here once the app is approved for them.
 */

export type ActivityKind = 'note' | 'task';

export interface NoteInput {
  /** The CRM record the note is associated with (a HubSpot company id). */
  recordId: string;
  title: string;
  body: string;
  occurredAt: Date;
  /** Our own event or action id; the CRM copy carries it so a retry can find an earlier write. */
  sourceKey: string;
}

export interface TaskInput {
  recordId: string;
  title: string;
  body: string;
  dueAt: Date;
  sourceKey: string;
}

/** Identifies an activity that an earlier attempt may already have created. */
export interface ActivityLookup {
  kind: ActivityKind;
  recordId: string;
  sourceKey: string;
  /** The note's occurredAt or the task's dueAt, exactly as sent on create. */
  timestamp: Date;
}

export interface CrmActivityLog {
  /** Creates a note on the record and returns the CRM id of the note. */
  writeNote(note: NoteInput): Promise<string>;
  /** Creates an open task on the record and returns the CRM id of the task. */
  writeTask(task: TaskInput): Promise<string>;
  /** Returns the CRM id of an activity created earlier with this source key, or null. */
  findActivity(lookup: ActivityLookup): Promise<string | null>;
}
