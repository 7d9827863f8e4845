import type { Command } from '../command.ts';

export const planCommand: Command = {
  name: 'plan',
  summary: '(not implemented yet)',
  help: 'privatelink-approver plan: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver plan: not implemented yet\n');
    return 1;
  },
};
