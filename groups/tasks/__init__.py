"""Study tasks (学习任务): issued down the tree, scheduled by each branch, followed upward."""
