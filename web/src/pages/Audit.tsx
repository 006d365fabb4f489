// The auditor's page: the log's integrity (verification, the last checkpoint) and the log itself.
import { Entries } from './audit/Entries';
import { LastCheckpoint, Verify } from './audit/Integrity';
import './audit/audit.css';

export function Audit() {
  return (
    <main id="main" class="page">
      <h1>Audit log</h1>
      <p>
        Who opened or changed which record, when and why. Entries hold ids and codes, never what a caller said.
      </p>
      <Verify />
      <LastCheckpoint />
      <Entries />
    </main>
  );
}
