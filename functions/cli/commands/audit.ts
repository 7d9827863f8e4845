import type { Command } from '../command.ts';

export const auditCommand: Command = {
  name: 'audit',
  summary: '(not implemented yet)',
  help: 'privatelink-approver audit: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver audit: not implemented yet\n');
    return 1;
  },
};
