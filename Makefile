.PHONY: demo test bench
demo:
	./run.sh demo
test:
	./run.sh test
bench:
	./run.sh bench
